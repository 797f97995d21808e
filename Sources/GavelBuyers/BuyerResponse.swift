import GavelCore

/// Reads buyers' HTTP answers into the exchange's typed answers. Pure functions of the status
/// and the body, so every rule of the buyer protocol is testable without a network.
///
/// Latency is not set here; the gateway measures it.
public enum BuyerResponse {
    /// The longest `bid_id` or `buyer_lead_id` kept, in bytes.
    public static let maxIDBytes = 256
    /// The longest buyer's rejection reason kept, in characters; longer ones are cut.
    public static let maxReasonCharacters = 200
    /// The largest bid taken, the same bound the core puts on money in requests ($1 billion).
    public static let maxBid = Money(cents: 100_000_000_000)

    /// The answer to a ping from the HTTP status and the complete body.
    public static func ping(status: Int, body: [UInt8]) -> PingAnswer {
        if status == 204 { return PingAnswer(kind: .noBid) }
        guard (200..<300).contains(status) else { return PingAnswer(kind: .httpStatus, detail: "HTTP \(status)") }
        guard let object = try? JSONParser.parse(body).objectValue else {
            return PingAnswer(kind: .malformed, detail: "not a JSON object")
        }
        guard let bid = object["bid"] else { return PingAnswer(kind: .malformed, detail: "no bid member") }
        return pingBid(bid, bidID: object["bid_id"])
    }

    private static func pingBid(_ bid: JSONValue, bidID: JSONValue?) -> PingAnswer {
        switch bid {
        case .null:
            return PingAnswer(kind: .noBid)
        case .number(let number):
            return pingPrice(number, bidID: bidID)
        default:
            return PingAnswer(kind: .invalidPrice, detail: "bid is a \(bid.typeName), not a number")
        }
    }

    private static func pingPrice(_ number: Number, bidID: JSONValue?) -> PingAnswer {
        guard let money = Money(number), money <= maxBid else {
            return PingAnswer(kind: .invalidPrice, detail: "bid has more than 2 decimals or is too large")
        }
        if money.cents < 0 { return PingAnswer(kind: .invalidPrice, detail: "bid is negative") }
        if money.cents == 0 { return PingAnswer(kind: .noBid) }
        switch identifier(bidID) {
        case .success(let id): return PingAnswer(kind: .bid, bid: money, bidID: id)
        case .failure: return PingAnswer(kind: .malformed, detail: "bid_id must be a string of at most \(maxIDBytes) bytes")
        }
    }

    /// The buyer's verdict on a post from the HTTP status and the complete body, or why there
    /// is none (a non-2xx status, a malformed body or an unknown `status`).
    public static func post(status: Int, body: [UInt8]) -> Result<PostAnswer, PostFailure> {
        guard (200..<300).contains(status) else { return .failure(.httpStatus(status)) }
        guard let object = try? JSONParser.parse(body).objectValue,
            let verdict = object["status"]?.stringValue.flatMap(PostAnswer.Outcome.init(rawValue:)),
            case .success(let leadID) = identifier(object["buyer_lead_id"])
        else { return .failure(.malformed) }
        let reason = object["reason"]?.stringValue.map { String($0.prefix(maxReasonCharacters)) }
        return .success(PostAnswer(outcome: verdict, reason: verdict == .accepted ? nil : reason, buyerLeadID: leadID))
    }

    /// A rejection for a failed post.
    public static func rejected(_ failure: PostFailure) -> PostAnswer {
        PostAnswer(outcome: .rejected, reason: failure.reason)
    }

    private struct BadIdentifier: Error {}

    /// A buyer's id: a string, or a number taken as its text; `nil` when absent or `null`.
    private static func identifier(_ value: JSONValue?) -> Result<String?, BadIdentifier> {
        switch value {
        case nil, .null?: return .success(nil)
        case .string(let text)? where text.utf8.count <= maxIDBytes: return .success(text)
        case .number(let number)?: return .success(number.description)
        default: return .failure(BadIdentifier())
        }
    }
}

/// Why a post failed without a verdict from the buyer; each counts as a rejection with this reason.
public enum PostFailure: Error, Sendable, Hashable {
    /// No answer before the post deadline.
    case timeout
    /// A non-2xx status (including redirects, which are never followed).
    case httpStatus(Int)
    /// Not the protocol's JSON, or an unknown `status`.
    case malformed
    /// A body over the size limit.
    case tooLarge
    /// The connection failed.
    case connectError
    /// The campaign has no post URL.
    case noPostURL

    /// The rejection reason recorded: `timeout`, `http_status_503`, `malformed`, `too_large`,
    /// `connect_error` or `no_post_url`.
    public var reason: String {
        switch self {
        case .timeout: "timeout"
        case .httpStatus(let code): "http_status_\(code)"
        case .malformed: "malformed"
        case .tooLarge: "too_large"
        case .connectError: "connect_error"
        case .noPostURL: "no_post_url"
        }
    }
}
