import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// Holds a ping's bids until it is posted or expires; ``StorageError/conflict(_:)`` when
    /// its id exists.
    public func holdPing(_ ping: HeldPing) async throws {
        let rows = try await rows(HoldPing.prepared(ping))
        if rows.isEmpty { throw StorageError.conflict(ping.id) }
    }

    /// A seller's held ping, without claiming it (`nil` for an unknown id or another seller's).
    public func heldPing(id: String, sellerID: String) async throws -> HeldPing? {
        let rows = try await rows(HeldPingBody.prepared((id, sellerID)))
        return try rows.first.map { try HeldPingCodec.decode($0.decode(String.self)) }
    }

    /// Claims a held ping for its post, atomically across nodes: a conditional
    /// `UPDATE … WHERE claimed_at IS NULL … RETURNING`, so only one post can claim a ping.
    ///
    /// `notFound` for an unknown id or another seller's ping; `alreadyPosted` once claimed
    /// (even after it expired); `expired` from `expires_at` on.
    public func claimPing(id: String, sellerID: String, now: Timestamp) async throws -> PingClaim {
        let at = now.milliseconds
        let claimed = try await rows(ClaimPing.prepared((id, sellerID, at)))
        if let row = claimed.first { return .claimed(try HeldPingCodec.decode(row.decode(String.self))) }
        let found = try await rows("SELECT claimed_at IS NOT NULL FROM held_pings WHERE id = \(id) AND seller_id = \(sellerID)")
        guard let row = found.first else { return .notFound }
        return try row.decode(Bool.self) ? .alreadyPosted : .expired
    }

    /// The insert of a held ping.
    enum HoldPing: FixedStatement {
        static let name = "gavel_hold_ping"
        static let sql = template(
            HeldPing(
                id: "", sellerID: "", vertical: "", source: "", test: false, fields: [:], bids: [], prices: [], allocated: nil,
                pings: [], skips: [], createdAt: Timestamp(milliseconds: 0), expiresAt: Timestamp(milliseconds: 0)))

        static func query(_ ping: HeldPing) -> PostgresQuery {
            """
            INSERT INTO held_pings (id, seller_id, body, created_at, expires_at)
            VALUES (\(ping.id), \(ping.sellerID), \(HeldPingCodec.encode(ping)), \(ping.createdAt.milliseconds), \(ping.expiresAt.milliseconds))
            ON CONFLICT DO NOTHING RETURNING 1
            """
        }
    }

    /// A seller's held ping's body.
    enum HeldPingBody: FixedStatement {
        static let name = "gavel_held_ping"
        static let sql = template(("", ""))

        static func query(_ arguments: (id: String, sellerID: String)) -> PostgresQuery {
            "SELECT body FROM held_pings WHERE id = \(arguments.id) AND seller_id = \(arguments.sellerID)"
        }
    }

    /// The claim of a held ping.
    enum ClaimPing: FixedStatement {
        static let name = "gavel_claim_ping"
        static let sql = template(("", "", 0))

        static func query(_ arguments: (id: String, sellerID: String, at: Int64)) -> PostgresQuery {
            """
            UPDATE held_pings SET claimed_at = \(arguments.at)
            WHERE id = \(arguments.id) AND seller_id = \(arguments.sellerID) AND claimed_at IS NULL AND expires_at > \(arguments.at)
            RETURNING body
            """
        }
    }

    /// Deletes held pings that expired before a time (claimed or not); returns how many. A
    /// housekeeping step for the server to run now and then (any one node is enough):
    /// afterwards a post for one of them is `notFound` instead of `expired` or `alreadyPosted`.
    @discardableResult
    public func purgeHeldPings(expiredBefore time: Timestamp) async throws -> Int {
        let rows = try await rows(
            "WITH purged AS (DELETE FROM held_pings WHERE expires_at < \(time.milliseconds) RETURNING 1) SELECT count(*) FROM purged")
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }
}
