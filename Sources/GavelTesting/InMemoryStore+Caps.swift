import GavelCore
import GavelStoreSupport

extension InMemoryStore {
    /// Current cap usage of campaigns (sold plus held) in the given periods.
    public func capUsage(_ periods: [String: CapPeriods]) async throws -> [String: CapUsage] {
        try locked { state in
            periods.reduce(into: [:]) { result, entry in
                result[entry.key] = state.usage.usage(campaignID: entry.key, periods: entry.value)
            }
        }
    }

    /// Unpaid spend per buyer (sold plus held).
    public func balances(buyerIDs: [String]) async throws -> [String: Money] {
        try locked { state in
            Dictionary(buyerIDs.map { ($0, state.usage.balance(buyerID: $0)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// Atomically holds a cap slot and buyer credit for a post: checked and taken under the
    /// store's one lock, so concurrent holds can never together exceed a cap or a limit. A
    /// test hold (`counts == false`) takes nothing.
    public func hold(_ hold: CapHold) async throws -> CapHoldResult {
        try locked { $0.usage.hold(hold) }
    }

    /// Gives back a hold whose post did not sell, if a matching hold is outstanding (releasing
    /// one that is not changes nothing).
    public func release(_ hold: CapHold) async throws {
        try locked { $0.usage.release(hold) }
    }
}
