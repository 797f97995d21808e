import Foundation
import GavelCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A loopback HTTP/1.1 server, plain or TLS, that answers every request with one canned JSON
/// body and counts the connections it accepted and the requests it answered.
public final class LoopbackServer: Sendable {
    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let channel: any Channel
    private let counts: Locked<(connections: Int, requests: Int, closed: Int)>

    /// Connections accepted so far.
    public var connections: Int { counts.withLock { $0.connections } }
    /// Requests answered so far.
    public var requests: Int { counts.withLock { $0.requests } }
    /// Connections closed so far, by either side.
    public var closed: Int { counts.withLock { $0.closed } }

    private init(port: Int, channel: any Channel, counts: Locked<(connections: Int, requests: Int, closed: Int)>) {
        self.port = port
        self.channel = channel
        self.counts = counts
    }

    /// Starts a server answering `body` with status 200; `closes` answers with
    /// `Connection: close` and closes each connection after its answer.
    public static func start(body: String, tls: NIOSSLContext? = nil, closes: Bool = false) async throws -> LoopbackServer {
        let counts = Locked((connections: 0, requests: 0, closed: 0))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                counts.withLock { $0.connections += 1 }
                return child.eventLoop.makeCompletedFuture {
                    if let tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Answer(body: body, closes: closes, counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LoopbackServer(port: channel.localAddress?.port ?? 0, channel: channel, counts: counts)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close()
    }

    private final class Answer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let body: String
        let closes: Bool
        let counts: Locked<(connections: Int, requests: Int, closed: Int)>

        init(body: String, closes: Bool, counts: Locked<(connections: Int, requests: Int, closed: Int)>) {
            self.body = body
            self.closes = closes
            self.counts = counts
        }

        func channelInactive(context: ChannelHandlerContext) {
            counts.withLock { $0.closed += 1 }
            context.fireChannelInactive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            counts.withLock { $0.requests += 1 }
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.utf8.count)")])
            if closes { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if closes {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                written.whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }
}

/// A self-signed certificate for `localhost` (P-256, valid until 2126) and its key, made once
/// with `openssl req -x509` for these tests only: no test runs a subprocess to make one.
public enum TestCertificate {
    /// The certificate (PEM), also the trust root that accepts it.
    public static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBlTCCATugAwIBAgIUNQhlMwkQjyLqyj3jMUUxhQmFZNYwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMzIzMDExNVoYDzIxMjYxMTA5
        MjMwMTE1WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAATdWsK37ssFdJ++vcnRMjf1t0FXJU3dkBrNQ42bTngCXriobpdgtnT8
        CBNtEqvrZq2+JZnio3qxl/7JRwj1NK7Bo2kwZzAdBgNVHQ4EFgQU5SQBqNPJBCKR
        qDvzJsGwy8NFSQkwHwYDVR0jBBgwFoAU5SQBqNPJBCKRqDvzJsGwy8NFSQkwDwYD
        VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
        SAAwRQIgEUwvBpFzq77V1eGGT4Oj7rC79+zM0gZ9FFn9LUreqO8CIQDdkY0WtDTn
        ffMwlJeDNvwRJylnOJh4yIeYQPxVmnZxHw==
        -----END CERTIFICATE-----
        """

    /// Its private key (PEM).
    public static let key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4Pml4QbzAKzku4Yc
        IQFlNSExhdfr89KrFpF4811+J2GhRANCAATdWsK37ssFdJ++vcnRMjf1t0FXJU3d
        kBrNQ42bTngCXriobpdgtnT8CBNtEqvrZq2+JZnio3qxl/7JRwj1NK7B
        -----END PRIVATE KEY-----
        """

    /// The certificate written to a new temporary file, for a trust-roots path.
    public static func trustRootsFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-root-\(UUID().uuidString).pem").path
        try certificate.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A server TLS context with this certificate.
    public static func serverContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }
}
