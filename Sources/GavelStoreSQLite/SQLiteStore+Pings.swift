import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Holds a ping's bids until it is posted or expires; ``StorageError/conflict(_:)`` when
    /// its id exists.
    public func holdPing(_ ping: HeldPing) async throws {
        let arguments: StatementArguments = [
            ping.id, ping.sellerID, HeldPingCodec.encode(ping), ping.createdAt.milliseconds, ping.expiresAt.milliseconds,
        ]
        let id = ping.id
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO held_pings (id, seller_id, body, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """
            ).execute(arguments: arguments)
            if db.changesCount == 0 { throw StorageError.conflict(id) }
        }
    }

    /// A seller's held ping, without claiming it.
    public func heldPing(id: String, sellerID: String) async throws -> HeldPing? {
        let body: String? = try await read { db in
            let select = try db.cachedStatement(sql: "SELECT seller_id, body FROM held_pings WHERE id = ?")
            guard let row = try Row.fetchOne(select, arguments: [id]), row["seller_id"] == sellerID else { return nil }
            return row["body"]
        }
        return try body.map(HeldPingCodec.decode)
    }

    /// Claims a held ping for its post, atomically: only one post can claim a ping.
    ///
    /// `notFound` for an unknown id or another seller's ping; `alreadyPosted` once claimed
    /// (even after it expired); `expired` from `expires_at` on.
    public func claimPing(id: String, sellerID: String, now: Timestamp) async throws -> PingClaim {
        let at = now.milliseconds
        let claim: ClaimResult = try await write { db in
            let select = try db.cachedStatement(sql: "SELECT seller_id, body, expires_at, claimed_at FROM held_pings WHERE id = ?")
            guard let row = try Row.fetchOne(select, arguments: [id]), row["seller_id"] == sellerID else { return .notFound }
            if row["claimed_at"] as Int64? != nil { return .alreadyPosted }
            if at >= row["expires_at"] as Int64 { return .expired }
            try db.cachedStatement(sql: "UPDATE held_pings SET claimed_at = ? WHERE id = ?").execute(arguments: [at, id])
            return .claimed(body: row["body"])
        }
        switch claim {
        case .claimed(let body): return .claimed(try HeldPingCodec.decode(body))
        case .notFound: return .notFound
        case .expired: return .expired
        case .alreadyPosted: return .alreadyPosted
        }
    }

    /// Deletes held pings that expired before a time (claimed or not); returns how many. A
    /// housekeeping step for the server to run now and then: afterwards a post for one of them
    /// is `notFound` instead of `expired` or `alreadyPosted`.
    @discardableResult
    public func purgeHeldPings(expiredBefore time: Timestamp) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM held_pings WHERE expires_at < ?", arguments: [time.milliseconds])
            return db.changesCount
        }
    }
}

/// What a claim found, before the held ping's body is decoded off the writer queue.
private enum ClaimResult: Sendable {
    case claimed(body: String)
    case notFound
    case expired
    case alreadyPosted
}
