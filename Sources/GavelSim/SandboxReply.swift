import GavelCore

/// The answer a sandbox buyer decided on, before it is sent.
struct SandboxReply: Sendable {
    /// The HTTP status.
    var status: Int
    /// The `Location` header, for redirects.
    var location: String?
    /// The content type, when there is a body.
    var contentType: String? = "application/json"
    /// The body.
    var body: [UInt8] = []
    /// How long to wait before answering.
    var delay: Duration = .zero
    /// Whether to hold the request instead of answering.
    var hangs = false
    /// Whether to send the body in chunks without a `Content-Length`.
    var chunked = false
    /// Whether to hold the connection after sending the head and the body so far, never finishing.
    var stallsMidBody = false

    static func json(_ value: JSONValue, status: Int = 200) -> SandboxReply {
        SandboxReply(status: status, body: JSONWriter.bytes(value))
    }

    static func error(_ message: String, status: Int) -> SandboxReply {
        json(["error": .string(message)], status: status)
    }

    /// The reply for a fault; `ping` says which endpoint, since bid faults only make sense on pings.
    static func fault(_ fault: SandboxBuyer.Fault, ping: Bool) -> SandboxReply {
        switch fault {
        case .httpStatus(let code): return error("sandbox fault", status: code)
        case .junkBody: return SandboxReply(status: 200, contentType: "text/html", body: Array("<html>not json</html>".utf8))
        case .stringBid: return ping ? json(["bid": "12"]) : json(["status": "maybe"])
        case .negativeBid: return ping ? json(["bid": -5]) : json(["status": "maybe"])
        case .overPreciseBid: return ping ? rawJSON(#"{"bid":12.345}"#) : json(["status": "maybe"])
        case .hugeBody:
            var reply = json(["bid": 1, "status": "accepted", "padding": .string(String(repeating: "x", count: 100_000))])
            reply.chunked = true
            return reply
        case .stallMidBody: return SandboxReply(status: 200, body: Array(#"{"bid": "#.utf8), chunked: true, stallsMidBody: true)
        case .hang: return SandboxReply(status: 204, contentType: nil, hangs: true)
        case .redirect(let location): return SandboxReply(status: 302, location: location, contentType: nil)
        }
    }

    private static func rawJSON(_ text: String) -> SandboxReply {
        SandboxReply(status: 200, body: Array(text.utf8))
    }
}

/// A sandbox buyer's mutable state: its behavior, random generator and counters. The decisions
/// are pure functions of this state and the request, so they are testable without a server.
struct SandboxBuyerState: Sendable {
    private(set) var behavior: SandboxBuyer.Behavior
    private var random: SeededRandom
    private var bids = 0
    private var accepted = 0

    init(_ behavior: SandboxBuyer.Behavior) {
        self.behavior = behavior
        random = SeededRandom(seed: behavior.seed)
    }

    /// Replaces the behavior, restarting the random sequence when the seed changed.
    mutating func replace(_ next: SandboxBuyer.Behavior) {
        if next.seed != behavior.seed { random = SeededRandom(seed: next.seed) }
        behavior = next
    }

    /// The reply to a ping.
    mutating func pingReply(name: String, json: JSONValue?, verified: Bool) -> SandboxReply {
        if behavior.requireSignature && !verified { return .error("bad signature", status: 401) }
        var reply = pingAnswer(name: name, json: json)
        reply.delay = draw(behavior.latency)
        return reply
    }

    /// The reply to a post.
    mutating func postReply(name: String, json: JSONValue?, verified: Bool) -> SandboxReply {
        if behavior.requireSignature && !verified { return .error("bad signature", status: 401) }
        var reply = postAnswer(name: name, json: json)
        reply.delay = draw(behavior.postLatency)
        return reply
    }

    private mutating func pingAnswer(name: String, json: JSONValue?) -> SandboxReply {
        if let fault = behavior.pingFault { return .fault(fault, ping: true) }
        guard let json, json.objectValue != nil else { return .error("body is not a JSON object", status: 400) }
        guard let price = behavior.bid.price(for: json), price.cents > 0 else { return noBid() }
        bids += 1
        var answer: [String: JSONValue] = ["bid": price.json]
        switch behavior.bidID {
        case .none: break
        case .fixed(let id): answer["bid_id"] = .string(id)
        case .sequential: answer["bid_id"] = .string("\(name)-\(bids)")
        }
        return .json(.object(answer))
    }

    private func noBid() -> SandboxReply {
        switch behavior.noBidAnswer {
        case .null: .json(["bid": .null])
        case .zero: .json(["bid": 0])
        case .noContent: SandboxReply(status: 204, contentType: nil)
        }
    }

    private mutating func postAnswer(name: String, json: JSONValue?) -> SandboxReply {
        if let fault = behavior.postFault { return .fault(fault, ping: false) }
        guard let json, json.objectValue != nil else { return .error("body is not a JSON object", status: 400) }
        if let decide = behavior.postDecision {
            return decide(json).map { .json(["status": "rejected", "reason": .string($0)]) } ?? accept(name: name)
        }
        switch behavior.postOutcome {
        case .accept: return accept(name: name)
        case .reject(let reason): return .json(["status": "rejected", "reason": .string(reason)])
        case .duplicate: return .json(["status": "duplicate", "reason": "already have this consumer"])
        case .rejectSometimes(let probability, let reason):
            let rejects = Double.random(in: 0..<1, using: &random) < probability
            return rejects ? .json(["status": "rejected", "reason": .string(reason)]) : accept(name: name)
        }
    }

    private mutating func accept(name: String) -> SandboxReply {
        accepted += 1
        return .json(["status": "accepted", "buyer_lead_id": .string("\(name)-L\(accepted)")])
    }

    private mutating func draw(_ latency: SandboxBuyer.Latency) -> Duration {
        switch latency {
        case .none: return .zero
        case .fixed(let duration): return duration
        case .random(let range):
            let low = range.lowerBound.nanoseconds
            let high = max(low, range.upperBound.nanoseconds)
            return .nanoseconds(Int64.random(in: low...high, using: &random))
        }
    }
}
