import GavelCore

/// Sends webhook deliveries over HTTP on connections of their own — a small pool, apart from the
/// buyers' — so receivers never take a connection an auction needs. Each delivery is a JSON
/// POST signed like a buyer call (``BuyerSignature``: `X-Gavel-Timestamp` and
/// `X-Gavel-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the webhook's
/// secret), checked by the SSRF guard before it connects (and for `http://` URLs pinned to the
/// address checked), never redirected. The answer's body is not read. Call ``shutdown()``
/// before it goes away.
public final class HTTPWebhookPoster: WebhookPoster {
    private let transport: BuyerTransport

    /// Creates a poster; `allowPrivateAddresses` lets URLs reach loopback and private
    /// addresses (demos and tests, as `--allow-private-buyer-urls`); `extraTrustRoots` is a PEM
    /// file of certificate authorities trusted for `https` receivers besides the system's.
    public init(
        allowPrivateAddresses: Bool, extraTrustRoots: String? = nil, connectionsPerHost: Int = 4,
        wallClock: any WallClock = SystemWallClock()
    ) {
        let configuration = HTTPBuyerGateway.Configuration(
            connectionsPerHost: connectionsPerHost, connectTimeout: .seconds(5), maxResponseBytes: 4_096,
            userAgent: "gavel-webhooks/1", allowPrivateAddresses: allowPrivateAddresses, extraTrustRoots: extraTrustRoots)
        transport = BuyerTransport(configuration: configuration, wallClock: wallClock)
    }

    /// POSTs a signed delivery; the status, or why there was none. A cancelled call (the
    /// sender's deadline) ends at once as `timeout`.
    public func post(url: String, body: [UInt8], secret: String, headers: [HeaderField]) async -> WebhookReply {
        var request = transport.nativeRequest(url: url, body: body, secret: secret)
        request.headers += headers
        switch await transport.send(request, readsBody: { _ in false }) {
        case .response(let reply): return .status(reply.status)
        case .tooLarge(let status): return .status(status)
        case .timeout: return .failed("timeout")
        case .failed(let detail): return .failed(detail)
        }
    }

    /// Closes the poster's connections (deliveries in flight end as failures).
    public func shutdown() async throws {
        await transport.connections.shutdown()
    }
}
