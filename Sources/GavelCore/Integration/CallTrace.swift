/// One buyer call as the test console shows it: the exact request (secrets masked), the raw
/// answer (body cut at ``maxBodyBytes``) or why there was none, and how long it took.
public struct CallTrace: Sendable, Hashable {
    /// The most body bytes a trace keeps.
    public static let maxBodyBytes = 8_192

    /// The request as sent, secrets and credentials masked.
    public var request: RenderedRequest
    /// The answer, if one came.
    public var reply: BuyerReply?
    /// Whether the answer's body was longer than what the trace keeps.
    public var truncated: Bool
    /// Why there was no answer (a timeout, a refused connection, the SSRF guard).
    public var failure: String?
    /// How long the call took, in microseconds.
    public var latencyMicros: Int64

    /// Creates a trace; the request is masked and the body cut here.
    public init(request: RenderedRequest, reply: BuyerReply?, failure: String?, latencyMicros: Int64) {
        self.request = request.masked()
        var kept = reply
        truncated = (reply?.body.count ?? 0) > Self.maxBodyBytes
        if let body = reply?.body {
            kept?.body = Array(request.mask(String(decoding: body.prefix(Self.maxBodyBytes), as: UTF8.self)).utf8)
        }
        self.reply = kept
        self.failure = failure
        self.latencyMicros = latencyMicros
    }
}
