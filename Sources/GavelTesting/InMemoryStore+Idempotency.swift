import GavelCore

extension InMemoryStore {
    /// Claims a seller's idempotency key atomically: a new key is kept as in progress
    /// (`fresh`); a known key with another fingerprint is a `mismatch` (finished or not); with
    /// the same fingerprint it is `replay` once completed, else `inProgress`.
    public func claimIdempotencyKey(sellerID: String, key: String, fingerprint: String, at: Timestamp) async throws -> IdempotencyClaim {
        let id = IdempotencyID(sellerID: sellerID, key: key)
        return try locked { state in
            guard let entry = state.idempotency[id] else {
                state.idempotency[id] = IdempotencyEntry(fingerprint: fingerprint, createdAt: at, status: nil, body: [])
                return .fresh
            }
            guard entry.fingerprint == fingerprint else { return .mismatch }
            guard let status = entry.status else { return .inProgress }
            return .replay(status: status, body: entry.body)
        }
    }

    /// Stores the response of a claimed key, so later claims replay it (nothing for an
    /// unknown key).
    public func completeIdempotencyKey(sellerID: String, key: String, status: Int, body: [UInt8]) async throws {
        let id = IdempotencyID(sellerID: sellerID, key: key)
        try locked { state in
            state.idempotency[id]?.status = status
            state.idempotency[id]?.body = body
        }
    }

    /// Forgets a claimed key that was never completed, so the request can be retried; a
    /// completed key stays.
    public func abandonIdempotencyKey(sellerID: String, key: String) async throws {
        let id = IdempotencyID(sellerID: sellerID, key: key)
        try locked { state in
            if state.idempotency[id]?.status == nil { state.idempotency[id] = nil }
        }
    }

    /// Deletes the keys claimed before a time, finished or not; returns how many.
    @discardableResult
    public func purgeIdempotencyKeys(createdBefore time: Timestamp) async throws -> Int {
        try locked { state in
            let old = state.idempotency.filter { $0.value.createdAt < time }.keys
            for id in old { state.idempotency[id] = nil }
            return old.count
        }
    }
}
