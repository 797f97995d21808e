import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore: IdempotencyStore {
    /// Claims a seller's idempotency key atomically across nodes: `INSERT … ON CONFLICT DO
    /// NOTHING` stores a new key as in progress (`fresh`); a known key with another fingerprint
    /// is a `mismatch` (finished or not); with the same fingerprint it is `replay` once
    /// completed, else `inProgress`. (A key abandoned between the insert and the read is
    /// claimed again.)
    public func claimIdempotencyKey(sellerID: String, key: String, fingerprint: String, at: Timestamp) async throws -> IdempotencyClaim {
        for _ in 0..<3 {
            let inserted = try await rows(ClaimKey.prepared((sellerID, key, fingerprint, at)))
            if !inserted.isEmpty { return .fresh }
            if let claim = try await existingClaim(sellerID: sellerID, key: key, fingerprint: fingerprint) { return claim }
        }
        throw StorageError.unavailable("idempotency key kept changing while being claimed")
    }

    /// Stores the response of a claimed key, so later claims replay it.
    public func completeIdempotencyKey(sellerID: String, key: String, status: Int, body: [UInt8]) async throws {
        _ = try await rows(CompleteKey.prepared((sellerID, key, status, body)))
    }

    /// The insert that claims a new key.
    enum ClaimKey: FixedStatement {
        static let name = "gavel_claim_idempotency_key"
        static let sql = template(("", "", "", Timestamp(milliseconds: 0)))

        static func query(_ arguments: (sellerID: String, key: String, fingerprint: String, at: Timestamp)) -> PostgresQuery {
            """
            INSERT INTO idempotency_keys (seller_id, key, fingerprint, created_at)
            VALUES (\(arguments.sellerID), \(arguments.key), \(arguments.fingerprint), \(arguments.at.milliseconds))
            ON CONFLICT DO NOTHING RETURNING 1
            """
        }
    }

    /// The update that stores a claimed key's response.
    enum CompleteKey: FixedStatement {
        static let name = "gavel_complete_idempotency_key"
        static let sql = template(("", "", 0, []))

        static func query(_ arguments: (sellerID: String, key: String, status: Int, body: [UInt8])) -> PostgresQuery {
            """
            UPDATE idempotency_keys SET status = \(Int32(arguments.status)), body = \(ByteBuffer(bytes: arguments.body))
            WHERE seller_id = \(arguments.sellerID) AND key = \(arguments.key)
            """
        }
    }

    /// Forgets a claimed key that was never completed, so the request can be retried.
    public func abandonIdempotencyKey(sellerID: String, key: String) async throws {
        try await execute("DELETE FROM idempotency_keys WHERE seller_id = \(sellerID) AND key = \(key) AND status IS NULL")
    }

    /// Deletes idempotency keys created before a time (finished or not); returns how many. A
    /// housekeeping step for the server to run now and then (any one node is enough).
    @discardableResult
    public func purgeIdempotencyKeys(createdBefore time: Timestamp) async throws -> Int {
        let rows = try await rows(
            "WITH purged AS (DELETE FROM idempotency_keys WHERE created_at < \(time.milliseconds) RETURNING 1) SELECT count(*) FROM purged")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// What a known key holds; `nil` when it vanished (abandoned meanwhile).
    private func existingClaim(sellerID: String, key: String, fingerprint: String) async throws -> IdempotencyClaim? {
        let rows = try await rows(
            "SELECT fingerprint, status, body FROM idempotency_keys WHERE seller_id = \(sellerID) AND key = \(key)")
        guard let row = rows.first else { return nil }
        let (stored, status, body) = try row.decode((String, Int32?, ByteBuffer?).self)
        guard stored == fingerprint else { return .mismatch }
        guard let status else { return .inProgress }
        return .replay(status: Int(status), body: body.map { Array($0.readableBytesView) } ?? [])
    }
}

extension PostgresStore {
    /// The leads a buyer bought, sold in `[from, to)`, oldest sale first (then by lead id), at
    /// most `limit`, each with its full fields and consent.
    public func boughtLeads(buyerID: String, from: Timestamp, to: Timestamp, limit: Int) async throws -> [BoughtLead] {
        guard limit > 0 else { return [] }
        let rows = try await rows(
            """
            SELECT l.id, l.seller_id, l.vertical, l.source, l.test, l.fields, l.consent, l.contacts, l.received_at, l.ping_id,
                s.campaign_id, s.price_cents, s.at, s.returned_at IS NOT NULL, l.erased_at
            FROM sales s JOIN leads l ON l.id = s.lead_id
            WHERE s.buyer_id = \(buyerID) AND s.at >= \(from.milliseconds) AND s.at < \(to.milliseconds)
            ORDER BY s.at, s.lead_id, s.seq LIMIT \(Int64(limit))
            """)
        return try rows.map(Self.boughtLead)
    }

    private static func boughtLead(_ row: PostgresRow) throws -> BoughtLead {
        let c = try row.decode(
            (String, String, String, String, Bool, String, String, String, Int64, String?, String, Int64, Int64, Bool, Int64?).self)
        let lead = Lead(
            id: c.0, sellerID: c.1, vertical: c.2, source: c.3, test: c.4, fields: try StoredJSON.object(c.5, what: "lead fields"),
            consent: try StoredJSON.value(c.6, what: "lead consent"), receivedAt: Timestamp(milliseconds: c.8), pingID: c.9,
            contactKeys: try ContactKeys.stored(c.7), erasedAt: c.14.map { Timestamp(milliseconds: $0) })
        return BoughtLead(lead: lead, campaignID: c.10, price: Money(cents: c.11), soldAt: Timestamp(milliseconds: c.12), returned: c.13)
    }
}
