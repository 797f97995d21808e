/// Leads whose sale a store failure cut short while the exchange kept running — the database
/// went away, filled up or stayed busy — with the cap holds that may still be outstanding.
///
/// The seller of such a lead got an error (503), never a result, but the lead may be stored
/// as `pending`, a post may have reached a buyer, and holds may still count against caps and
/// credit. A crash leaves the same state, and `reconcile(now:)` clears it at the next start;
/// a running exchange instead notes the lead here and ``repair(_:now:)`` (run every second by
/// the server) clears it once the database answers again: each hold is released (releasing is
/// safe to repeat, see ``CapStore/release(_:)``), then the lead is marked `review` if a post
/// had been sent and `unsold` otherwise, both with reason `interrupted`, as after a crash.
public final class InterruptedLeads: Sendable {
    /// What one repair pass did.
    public struct Repair: Sendable, Hashable {
        /// Leads marked `review` (a post had been sent).
        public var review = 0
        /// Leads marked `unsold`.
        public var unsold = 0
        /// Leads cleared without a change (already finished, or never stored).
        public var untouched = 0
        /// Cap holds released.
        public var holds = 0
        /// Leads still waiting (the database did not answer).
        public var waiting = 0
        /// Why the pass stopped short, when it did.
        public var failure: String?

        /// Creates a summary.
        public init(review: Int = 0, unsold: Int = 0, untouched: Int = 0, holds: Int = 0, waiting: Int = 0, failure: String? = nil) {
            self.review = review
            self.unsold = unsold
            self.untouched = untouched
            self.holds = holds
            self.waiting = waiting
            self.failure = failure
        }

        /// Whether the pass had anything to do.
        public var isEmpty: Bool { self == Repair() }
    }

    private let leads = Locked<[String: [CapHold]]>([:])

    /// An empty list.
    public init() {}

    /// Notes a lead (and the holds it may still have outstanding) for repair.
    public func add(leadID: String, holds: [CapHold]) {
        leads.withLock { $0[leadID, default: []] += holds }
    }

    /// How many leads wait for repair.
    public var count: Int { leads.withLock { $0.count } }

    /// The leads waiting for repair, with their holds.
    public var waiting: [String: [CapHold]] { leads.withLock { $0 } }

    /// Releases the noted holds and marks the noted leads, as far as the store lets it; what
    /// fails stays noted for the next pass.
    public func repair(_ store: any LeadStore & CapStore, now: Timestamp) async -> Repair {
        var summary = Repair()
        var released: [String] = []
        for (leadID, holds) in waiting {
            do {
                summary.holds += try await release(holds, of: leadID, store: store)
                released.append(leadID)
            } catch {
                summary.failure = "\(error)"
            }
        }
        let marked: (review: Int, unsold: Int)
        do {
            marked = released.isEmpty ? (0, 0) : try await store.reconcile(leadIDs: released.sorted(), now: now)
        } catch {
            summary.failure = "\(error)"
            summary.waiting = count
            return summary
        }
        leads.withLock { leads in for id in released { leads[id] = nil } }
        summary.review = marked.review
        summary.unsold = marked.unsold
        summary.untouched = released.count - marked.review - marked.unsold
        summary.waiting = count
        return summary
    }

    /// Releases a lead's holds one by one, forgetting each once released; the number released.
    private func release(_ holds: [CapHold], of leadID: String, store: any CapStore) async throws -> Int {
        for hold in holds {
            try await store.release(hold)
            leads.withLock { leads in
                guard let index = leads[leadID]?.firstIndex(of: hold) else { return }
                leads[leadID]?.remove(at: index)
            }
        }
        return holds.count
    }
}

/// The cap holds one lead's sale has taken and not yet given back or sold, so that a store
/// failure halfway through can hand them to ``InterruptedLeads``. A hold is noted before it is
/// asked for (a hold that fails may have been taken) and forgotten once released.
final class HoldTracker: Sendable {
    private let holds = Locked<[CapHold]>([])

    /// Notes a hold about to be taken.
    func add(_ hold: CapHold) {
        holds.withLock { $0.append(hold) }
    }

    /// Forgets a hold that was refused or released.
    func remove(_ hold: CapHold) {
        holds.withLock { holds in
            guard let index = holds.firstIndex(of: hold) else { return }
            holds.remove(at: index)
        }
    }

    /// The holds that may still be outstanding.
    var outstanding: [CapHold] { holds.withLock { $0 } }
}

/// Whether a lead has been written to the store yet: on a store that combines writes, the
/// exchange writes it only with its first durable follow-up.
final class StoredMark: Sendable {
    private let stored = Locked((isStored: false, suppressions: Set<String>?.none))

    /// Whether the lead is in the store.
    var isStored: Bool { stored.withLock { $0.isStored } }

    /// The buyers suppressing the lead, when the store read them as it stored the lead.
    var suppressions: Set<String>? { stored.withLock { $0.suppressions } }

    /// Notes that the lead is in the store (and who suppresses it, if that was read with it).
    func set(suppressions: Set<String>? = nil) {
        stored.withLock { $0 = (true, suppressions) }
    }
}

/// A lead found to be a duplicate only as it was first written: a concurrent lead of the same
/// consumer was stored first.
struct LateDuplicate: Error {}
