import GavelCore

/// A buyer gateway whose buyers answer as a test scripts them, on a ``ManualClock``: a bid at
/// once or after some time, no answer at all, a post accepted or rejected or left hanging.
/// Like the real gateway it keeps no deadline of its own and ends a cancelled call at once as a
/// timeout, so the exchange's own deadline logic is what a test exercises.
public final class ScriptedGateway: BuyerGateway {
    /// How a campaign answers pings.
    public enum Ping: Sendable, Hashable {
        /// A bid at once.
        case bid(Money)
        /// A bid once the clock has moved this far from the call.
        case bidAfter(Duration, Money)
        /// No bid, at once.
        case noBid
        /// No answer until cancelled.
        case silent
    }

    /// How a campaign answers posts.
    public enum Post: Sendable, Hashable {
        /// Accepted at once.
        case accept
        /// Rejected at once with a reason.
        case reject(String)
        /// No answer until cancelled.
        case silent
    }

    /// One call the gateway received.
    public struct Call: Sendable, Hashable {
        /// `ping` or `post`.
        public var kind: String
        /// The campaign called.
        public var campaignID: String
        /// Whether a personal field was in the call.
        public var carriedPersonalData: Bool
    }

    private struct State: Sendable {
        var pings: [String: Ping] = [:]
        var posts: [String: Post] = [:]
        var calls: [Call] = []
    }

    private let clock: ManualClock
    private let state = Locked(State())
    private let personal: Set<String>

    /// Creates a gateway on a clock; `personalFields` are the field names a ping must never carry.
    public init(clock: ManualClock, personalFields: Set<String> = []) {
        self.clock = clock
        personal = personalFields
    }

    /// Scripts a campaign's pings.
    public func script(_ campaignID: String, ping: Ping) {
        state.withLock { $0.pings[campaignID] = ping }
    }

    /// Scripts a campaign's posts.
    public func script(_ campaignID: String, post: Post) {
        state.withLock { $0.posts[campaignID] = post }
    }

    /// Every call so far, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// Answers a ping as scripted (no bid when unscripted).
    public func ping(_ request: PingRequest, campaign: Campaign) async -> PingAnswer {
        let script = state.withLock { state in
            state.calls.append(
                Call(kind: "ping", campaignID: campaign.id, carriedPersonalData: !personal.isDisjoint(with: request.fields.keys)))
            return state.pings[campaign.id] ?? .noBid
        }
        switch script {
        case .bid(let price): return PingAnswer(kind: .bid, bid: price)
        case .noBid: return PingAnswer(kind: .noBid)
        case .bidAfter(let delay, let price):
            guard (try? await clock.sleep(for: delay)) != nil else { return Self.cancelled }
            return PingAnswer(kind: .bid, bid: price, latencyMicros: delay.microseconds)
        case .silent:
            try? await clock.sleep(until: ManualClock.Instant(offset: .seconds(1_000_000_000)))
            return Self.cancelled
        }
    }

    /// Answers a post as scripted (accepted when unscripted).
    public func post(_ request: PostRequest, campaign: Campaign) async -> PostAnswer {
        let script = state.withLock { state in
            state.calls.append(
                Call(kind: "post", campaignID: campaign.id, carriedPersonalData: !personal.isDisjoint(with: request.fields.keys)))
            return state.posts[campaign.id] ?? .accept
        }
        switch script {
        case .accept: return PostAnswer(outcome: .accepted, buyerLeadID: "\(campaign.id)-lead")
        case .reject(let reason): return PostAnswer(outcome: .rejected, reason: reason)
        case .silent:
            try? await clock.sleep(until: ManualClock.Instant(offset: .seconds(1_000_000_000)))
            return PostAnswer(outcome: .rejected, reason: "timeout")
        }
    }

    private static let cancelled = PingAnswer(kind: .timeout, detail: "cancelled")
}
