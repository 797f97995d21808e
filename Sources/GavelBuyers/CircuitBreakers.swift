import GavelCore

/// One campaign's circuit breaker as a value: it counts consecutive faults, opens after
/// `threshold` of them, lets a single probe through once `coolDown` has passed, and closes on a
/// good answer or reopens on a bad one. Time is passed in, so it is tested without waiting.
public struct CircuitBreaker: Sendable, Hashable {
    /// Where the breaker is.
    public enum Phase: Sendable, Hashable {
        /// Calls flow; `failures` consecutive faults so far.
        case closed(failures: Int)
        /// Skipped until `until`.
        case open(until: Timestamp)
        /// A probe was let through at `since`.
        case halfOpen(since: Timestamp)
    }

    /// The current phase.
    public private(set) var phase: Phase = .closed(failures: 0)

    /// Creates a closed breaker.
    public init() {}

    /// The state name.
    public var state: CircuitState {
        switch phase {
        case .closed: .closed
        case .open: .open
        case .halfOpen: .halfOpen
        }
    }

    /// Whether a call may go out now. An open breaker whose cool-down has ended lets exactly one
    /// call through (becoming half-open); a probe that never reports back is replaced after
    /// another cool-down.
    public mutating func allows(now: Timestamp, coolDown: Int64) -> Bool {
        switch phase {
        case .closed: return true
        case .open(let until):
            guard now >= until else { return false }
            phase = .halfOpen(since: now)
            return true
        case .halfOpen(let since):
            guard now.milliseconds - since.milliseconds >= coolDown else { return false }
            phase = .halfOpen(since: now)
            return true
        }
    }

    /// Records the outcome of a call; returns `true` when this fault tripped the breaker open.
    @discardableResult
    public mutating func record(fault: Bool, now: Timestamp, threshold: Int, coolDown: Int64) -> Bool {
        guard fault else {
            phase = .closed(failures: 0)
            return false
        }
        switch phase {
        case .closed(let failures) where failures + 1 < threshold:
            phase = .closed(failures: failures + 1)
            return false
        case .open:
            return false
        default:
            phase = .open(until: now.adding(milliseconds: coolDown))
            return true
        }
    }
}

/// Circuit breakers for every campaign, fed by the gateway's finished calls and read by the
/// exchange before each fan-out: a campaign that keeps failing is paused for a cool-down, then
/// probed, then resumed — so a dead buyer stops costing every auction a timeout.
public final class CircuitBreakers: BuyerCallObserver, CircuitBoard, Sendable {
    /// When breakers trip and how long they stay open.
    public struct Configuration: Sendable {
        /// Consecutive faults that open a circuit.
        public var threshold: Int
        /// How long an open circuit skips the campaign, in milliseconds.
        public var coolDownMS: Int64

        /// Creates a configuration.
        public init(threshold: Int = 5, coolDownMS: Int64 = 30_000) {
            self.threshold = threshold
            self.coolDownMS = coolDownMS
        }
    }

    private let configuration: Configuration
    private let clock: any WallClock
    private let onTrip: @Sendable (String) -> Void
    private let breakers = Locked<[String: CircuitBreaker]>([:])

    /// Creates the breakers; `onTrip` is told each time a campaign's circuit opens.
    public init(
        configuration: Configuration = Configuration(), clock: any WallClock = SystemWallClock(),
        onTrip: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.onTrip = onTrip
    }

    /// Campaigns to skip for this lead (letting one lead probe each cooled-down campaign).
    public func openCircuits() -> Set<String> {
        let now = clock.now()
        return breakers.withLock { breakers in
            var skipped = Set<String>()
            for id in Array(breakers.keys) where !breakers[id]!.allows(now: now, coolDown: configuration.coolDownMS) {
                skipped.insert(id)
            }
            return skipped
        }
    }

    /// Every circuit that is not closed.
    public func circuitStates() -> [String: CircuitState] {
        breakers.withLock { breakers in breakers.compactMapValues { $0.state == .closed ? nil : $0.state } }
    }

    /// Counts a ping's outcome.
    public func pingFinished(campaignID: String, answer: PingAnswer) {
        record(campaignID, fault: answer.isFault)
    }

    /// Counts a post's outcome: a failed call is a fault, a buyer's own rejection is not.
    public func postFinished(campaignID: String, answer: PostAnswer, failure: PostFailure?) {
        record(campaignID, fault: failure != nil)
    }

    private func record(_ campaignID: String, fault: Bool) {
        let now = clock.now()
        let tripped = breakers.withLock { breakers in
            if !fault && breakers[campaignID] == nil { return false }
            var breaker = breakers[campaignID] ?? CircuitBreaker()
            let tripped = breaker.record(fault: fault, now: now, threshold: configuration.threshold, coolDown: configuration.coolDownMS)
            breakers[campaignID] = breaker.state == .closed && !fault ? nil : breaker
            return tripped
        }
        if tripped { onTrip(campaignID) }
    }
}
