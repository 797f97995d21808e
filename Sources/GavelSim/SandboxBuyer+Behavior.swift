import GavelCore

extension SandboxBuyer {
    /// How a sandbox buyer answers: its bid, timing, post verdict and faults. A plain value,
    /// swapped at runtime with ``SandboxBuyer/update(_:)``.
    public struct Behavior: Sendable {
        /// What the buyer bids on a ping.
        public var bid: BidRule
        /// How "no bid" is said.
        public var noBidAnswer: NoBidAnswer
        /// The `bid_id` sent with a bid.
        public var bidID: BidID
        /// How long a ping takes to answer.
        public var latency: Latency
        /// The verdict on a post.
        public var postOutcome: PostOutcome
        /// How long a post takes to answer (a "slow post").
        public var postLatency: Latency
        /// A fault answered to pings instead of the bid.
        public var pingFault: Fault?
        /// A fault answered to posts instead of the verdict.
        public var postFault: Fault?
        /// The secret calls must be signed with (the campaign's `delivery.secret`).
        public var secret: String
        /// Whether a call with a missing or wrong signature is refused with 401.
        public var requireSignature: Bool
        /// The seed of the buyer's random draws (latency ranges, random rejections), so a run
        /// can be repeated; changing it restarts the sequence.
        public var seed: UInt64
        /// Decides each post from its body, overriding ``postOutcome``: a reason rejects, `nil`
        /// accepts (a simulated buyer that rejects the same leads whatever the order).
        public var postDecision: (@Sendable (_ post: JSONValue) -> String?)?

        /// Creates a behavior; by default the buyer answers `{"bid": null}` at once and accepts posts.
        public init(
            bid: BidRule = .noBid, noBidAnswer: NoBidAnswer = .null, bidID: BidID = .sequential, latency: Latency = .none,
            postOutcome: PostOutcome = .accept, postLatency: Latency = .none, pingFault: Fault? = nil, postFault: Fault? = nil,
            secret: String = "sandbox-secret", requireSignature: Bool = true, seed: UInt64 = 1
        ) {
            self.bid = bid
            self.noBidAnswer = noBidAnswer
            self.bidID = bidID
            self.latency = latency
            self.postOutcome = postOutcome
            self.postLatency = postLatency
            self.pingFault = pingFault
            self.postFault = postFault
            self.secret = secret
            self.requireSignature = requireSignature
            self.seed = seed
        }

        /// A buyer that bids `price` on every ping and accepts every post.
        public static func bidding(_ price: Money) -> Behavior {
            Behavior(bid: .fixed(price))
        }

        /// A buyer that never bids.
        public static var noBid: Behavior { Behavior() }

        /// A buyer that answers every ping with a fault.
        public static func failing(_ fault: Fault) -> Behavior {
            Behavior(pingFault: fault)
        }
    }

    /// What a sandbox buyer bids.
    public enum BidRule: Sendable {
        /// The same price on every ping.
        case fixed(Money)
        /// A price by the value of one of the ping's `fields` (strings as they are, numbers and
        /// booleans as their JSON text), e.g. by `state`; `otherwise` for other values.
        case byField(String, [String: Money], otherwise: Money? = nil)
        /// A price computed from the whole ping body; `nil` is no bid.
        case custom(@Sendable (_ ping: JSONValue) -> Money?)
        /// No bid.
        case noBid

        /// The price for a ping body; `nil` is no bid.
        public func price(for ping: JSONValue) -> Money? {
            switch self {
            case .fixed(let price): price
            case .byField(let field, let table, let otherwise): ping["fields"]?[field].flatMap(Self.key).flatMap { table[$0] } ?? otherwise
            case .custom(let rule): rule(ping)
            case .noBid: nil
            }
        }

        private static func key(_ value: JSONValue) -> String? {
            switch value {
            case .string(let text): text
            case .number, .bool: JSONWriter.string(value)
            default: nil
            }
        }
    }

    /// The three ways the buyer protocol allows to say "no bid".
    public enum NoBidAnswer: Sendable, Hashable {
        /// `{"bid": null}`.
        case null
        /// `{"bid": 0}`.
        case zero
        /// `204 No Content`.
        case noContent
    }

    /// The `bid_id` sent with a bid.
    public enum BidID: Sendable, Hashable {
        /// None.
        case none
        /// Always this one.
        case fixed(String)
        /// `<buyer name>-1`, `<buyer name>-2`, … per ping answered with a bid.
        case sequential
    }

    /// How long an answer takes.
    public enum Latency: Sendable, Hashable {
        /// At once.
        case none
        /// Always this long.
        case fixed(Duration)
        /// Uniformly random within the range, from the buyer's seeded generator.
        case random(ClosedRange<Duration>)
    }

    /// The verdict on a post.
    public enum PostOutcome: Sendable, Hashable {
        /// `{"status": "accepted"}`.
        case accept
        /// `{"status": "rejected", "reason": …}`.
        case reject(reason: String)
        /// `{"status": "duplicate"}`.
        case duplicate
        /// Rejects with `reason` with the given probability (0...1), accepts otherwise; drawn
        /// from the buyer's seeded generator.
        case rejectSometimes(probability: Double, reason: String)
    }

    /// A way of misbehaving, for testing how the exchange copes.
    public enum Fault: Sendable, Hashable {
        /// Answers this status (e.g. 500) with a small JSON error body.
        case httpStatus(Int)
        /// Answers 200 with a body that is not JSON.
        case junkBody
        /// Answers `{"bid": "12"}` (on a post: an unknown status).
        case stringBid
        /// Answers `{"bid": -5}` (on a post: an unknown status).
        case negativeBid
        /// Answers `{"bid": 12.345}` (on a post: an unknown status).
        case overPreciseBid
        /// Answers 200 with a JSON body of about 100 KiB, sent in chunks without a `Content-Length`.
        case hugeBody
        /// Sends `200` and the start of a body, then holds the rest like ``hang``.
        case stallMidBody
        /// Never answers: holds the request until the client gives up (or the sandbox's
        /// `hangLimit` passes, or the sandbox stops).
        case hang
        /// Answers `302 Found` with this `Location`.
        case redirect(to: String)
    }
}
