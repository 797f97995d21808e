import Foundation
import GavelCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A loopback HTTP/1.1 server, plain or TLS, that answers every request with one canned JSON
/// body and counts the connections it accepted and the requests it answered.
final class LoopbackServer: Sendable {
    /// The port it listens on (127.0.0.1).
    let port: Int
    private let channel: any Channel
    private let counts: Locked<(connections: Int, requests: Int)>

    /// Connections accepted so far.
    var connections: Int { counts.withLock { $0.connections } }
    /// Requests answered so far.
    var requests: Int { counts.withLock { $0.requests } }

    private init(port: Int, channel: any Channel, counts: Locked<(connections: Int, requests: Int)>) {
        self.port = port
        self.channel = channel
        self.counts = counts
    }

    /// Starts a server answering `body` with status 200; `closes` answers with
    /// `Connection: close` and closes each connection after its answer.
    static func start(body: String, tls: NIOSSLContext? = nil, closes: Bool = false) async throws -> LoopbackServer {
        let counts = Locked((connections: 0, requests: 0))
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
    func stop() async {
        try? await channel.close()
    }

    private final class Answer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let body: String
        let closes: Bool
        let counts: Locked<(connections: Int, requests: Int)>

        init(body: String, closes: Bool, counts: Locked<(connections: Int, requests: Int)>) {
            self.body = body
            self.closes = closes
            self.counts = counts
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

/// A self-signed certificate for `localhost` and its key, made with the `openssl` tool in a
/// temporary folder: the paths of the PEM files.
struct SelfSignedCertificate {
    /// The certificate (PEM), also usable as a trust root.
    let certificate: String
    /// The private key (PEM).
    let key: String

    /// Makes a new pair (valid one day).
    static func make() throws -> SelfSignedCertificate {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pair = SelfSignedCertificate(certificate: folder + "/cert.pem", key: folder + "/key.pem")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", pair.key, "-out", pair.certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return pair
    }

    /// A server TLS context with this certificate.
    func serverContext() throws -> NIOSSLContext {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        return try NIOSSLContext(configuration: configuration)
    }
}
