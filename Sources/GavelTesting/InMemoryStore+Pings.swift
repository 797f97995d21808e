import GavelCore

extension InMemoryStore {
    /// Holds a ping's bids until it is posted or expires; ``StorageError/conflict(_:)`` when
    /// its id exists.
    public func holdPing(_ ping: HeldPing) async throws {
        try locked { state in
            guard state.heldPings[ping.id] == nil else { throw StorageError.conflict(ping.id) }
            state.heldPings[ping.id] = StoredPing(ping: ping, claimedAt: nil)
        }
    }

    /// A seller's held ping, claimed or not, without claiming it (`nil` for an unknown id or
    /// another seller's).
    public func heldPing(id: String, sellerID: String) async throws -> HeldPing? {
        try locked { state in
            state.heldPings[id].flatMap { $0.ping.sellerID == sellerID ? $0.ping : nil }
        }
    }

    /// Claims a held ping for its post, atomically: `notFound` for an unknown id or another
    /// seller's ping, `alreadyPosted` once claimed (even after it expired), `expired` from its
    /// expiry on.
    public func claimPing(id: String, sellerID: String, now: Timestamp) async throws -> PingClaim {
        try locked { state in
            guard let stored = state.heldPings[id], stored.ping.sellerID == sellerID else { return .notFound }
            if stored.claimedAt != nil { return .alreadyPosted }
            if now >= stored.ping.expiresAt { return .expired }
            state.heldPings[id]?.claimedAt = now
            return .claimed(stored.ping)
        }
    }

    /// Deletes the held pings that expired before a time, claimed or not; returns how many.
    @discardableResult
    public func purgeHeldPings(expiredBefore time: Timestamp) async throws -> Int {
        try locked { state in
            let expired = state.heldPings.filter { $0.value.ping.expiresAt < time }.keys
            for id in expired { state.heldPings[id] = nil }
            return expired.count
        }
    }
}
