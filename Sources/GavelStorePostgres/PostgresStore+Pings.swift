import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// Holds a ping's bids until it is posted or expires; ``StorageError/conflict(_:)`` when
    /// its id exists.
    public func holdPing(_ ping: HeldPing) async throws {
        let rows = try await rows(
            """
            INSERT INTO held_pings (id, seller_id, body, created_at, expires_at)
            VALUES (\(ping.id), \(ping.sellerID), \(HeldPingCodec.encode(ping)), \(ping.createdAt.milliseconds), \(ping.expiresAt.milliseconds))
            ON CONFLICT DO NOTHING RETURNING 1
            """)
        if rows.isEmpty { throw StorageError.conflict(ping.id) }
    }

    /// A seller's held ping, without claiming it (`nil` for an unknown id or another seller's).
    public func heldPing(id: String, sellerID: String) async throws -> HeldPing? {
        let rows = try await rows("SELECT body FROM held_pings WHERE id = \(id) AND seller_id = \(sellerID)")
        return try rows.first.map { try HeldPingCodec.decode($0.decode(String.self)) }
    }

    /// Claims a held ping for its post, atomically across nodes: a conditional
    /// `UPDATE … WHERE claimed_at IS NULL … RETURNING`, so only one post can claim a ping.
    ///
    /// `notFound` for an unknown id or another seller's ping; `alreadyPosted` once claimed
    /// (even after it expired); `expired` from `expires_at` on.
    public func claimPing(id: String, sellerID: String, now: Timestamp) async throws -> PingClaim {
        let at = now.milliseconds
        let claimed = try await rows(
            """
            UPDATE held_pings SET claimed_at = \(at)
            WHERE id = \(id) AND seller_id = \(sellerID) AND claimed_at IS NULL AND expires_at > \(at)
            RETURNING body
            """)
        if let row = claimed.first { return .claimed(try HeldPingCodec.decode(row.decode(String.self))) }
        let found = try await rows("SELECT claimed_at IS NOT NULL FROM held_pings WHERE id = \(id) AND seller_id = \(sellerID)")
        guard let row = found.first else { return .notFound }
        return try row.decode(Bool.self) ? .alreadyPosted : .expired
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
