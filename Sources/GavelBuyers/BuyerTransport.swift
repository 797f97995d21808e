import Foundation
import GavelCore
import Logging
import NIOCore
import NIOHTTP1

/// What came back from one call to a buyer, before the buyer protocol or an integration's
/// rules read it.
enum CallResult: Sendable, Equatable {
    /// A status, the headers and the complete body (for native calls, empty for non-2xx and
    /// 204: it is not read).
    case response(BuyerReply)
    /// A body over the size limit; reading stopped there.
    case tooLarge(status: Int)
    /// The deadline passed, or the caller cancelled.
    case timeout(String)
    /// The connection could not be made or broke (refused, DNS, TLS, reset).
    case failed(String)
}

/// One HTTP call under a deadline, over the shared connections. Never throws: every failure
/// is a ``CallResult``.
struct BuyerTransport: Sendable {
    let connections: HTTP1Connections
    let configuration: HTTPBuyerGateway.Configuration
    let wallClock: any WallClock
    let addressGuard: AddressGuard
    let targets = CallTargets()

    /// A transport with connections of its own, made from `configuration`.
    init(configuration: HTTPBuyerGateway.Configuration, wallClock: any WallClock) {
        connections = HTTP1Connections(
            maxIdlePerDestination: configuration.connectionsPerHost, idleTimeout: configuration.idleTimeout,
            connectTimeout: configuration.connectTimeout, extraTrustRoots: configuration.extraTrustRoots)
        self.configuration = configuration
        self.wallClock = wallClock
        addressGuard = AddressGuard(allowPrivate: configuration.allowPrivateAddresses)
    }

    /// The native protocol's request: a signed JSON POST.
    func nativeRequest(url: String, body: [UInt8], secret: String) -> RenderedRequest {
        var request = RenderedRequest(
            method: "POST", url: url, headers: [HeaderField(name: "Content-Type", value: "application/json")], body: body)
        sign(&request, secret: secret)
        return request
    }

    /// Adds the native signature headers over the request's body.
    func sign(_ request: inout RenderedRequest, secret: String) {
        for header in BuyerSignature.headers(body: request.body, secret: secret, at: wallClock.now()) {
            request.headers.append(HeaderField(name: header.name, value: header.value))
        }
    }

    static func isReadable(status: Int) -> Bool {
        (200..<300).contains(status) && status != 204
    }

    /// Sends a request and reads the answer; `readsBody` says for which statuses the body is
    /// read (up to the size limit). It keeps no deadline of its own: the caller's task is
    /// bounded (``Deadline``), and when it is cancelled the call ends at once as a `timeout`,
    /// however far it got (connecting, waiting for the head, or a body that trickles in).
    func send(_ rendered: RenderedRequest, readsBody: @escaping @Sendable (Int) -> Bool) async -> CallResult {
        let target: CallTarget
        switch targets.target(rendered.url) {
        case .success(let parsed): target = parsed
        case .failure(.notWeb): return .failed("not an http or https URL")
        case .failure(.noHost): return .failed("blocked: has no host")
        case .failure(.invalid): return .failed("invalid url")
        }
        guard !Task.isCancelled else { return .timeout("cancelled") }
        let destination: HTTP1Connections.Destination
        switch await addressGuard.check(host: target.host) {
        case .refused(let reason): return .failed("blocked: \(reason)")
        case .allowed(let pinned): destination = Self.destination(target, pinned: pinned)
        }
        let result: CallResult
        do {
            result = try await connections.execute(
                head(rendered, target: target), body: Self.sendsBody(rendered) ? rendered.body : nil, to: destination,
                limit: configuration.maxResponseBytes, readsBody: readsBody)
        } catch {
            result = TransportError.classify(error)
        }
        return Task.isCancelled ? .timeout("cancelled") : result
    }

    /// Where to connect: for `http://` the address the SSRF guard checked (so DNS rebinding
    /// between check and connect cannot redirect the call), for `https://` the name (TLS
    /// verifies the certificate for it).
    static func destination(_ target: CallTarget, pinned: String?) -> HTTP1Connections.Destination {
        guard target.tls else {
            return .init(address: pinned ?? target.host, port: target.port, serverName: nil, tls: false)
        }
        return .init(address: target.host, port: target.port, serverName: target.isLiteral ? nil : target.host, tls: true)
    }

    /// Whether the request carries a body (and so a `Content-Length`, zero for an empty POST).
    static func sendsBody(_ rendered: RenderedRequest) -> Bool {
        !rendered.body.isEmpty || rendered.method != "GET"
    }

    /// The request head: the rendered headers, `Host` and `User-Agent` unless the request names
    /// its own, and the `Content-Length` of the body (framing is the transport's alone).
    private func head(_ rendered: RenderedRequest, target: CallTarget) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(rendered.headers.count + 3)
        if !Self.names(rendered, "host") { headers.add(name: "Host", value: target.hostHeader) }
        if !Self.names(rendered, "user-agent") { headers.add(name: "User-Agent", value: configuration.userAgent) }
        for header in rendered.headers where !Self.isTransportHeader(header.name) {
            headers.add(name: header.name, value: header.value)
        }
        if Self.sendsBody(rendered) { headers.add(name: "Content-Length", value: String(rendered.body.count)) }
        return HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: rendered.method), uri: target.path, headers: headers)
    }

    private static func names(_ rendered: RenderedRequest, _ header: String) -> Bool {
        rendered.headers.contains { isNamed($0.name, header) }
    }

    private static func isTransportHeader(_ name: String) -> Bool {
        isNamed(name, "content-length") || isNamed(name, "transfer-encoding") || isNamed(name, "connection")
    }

    /// Whether a header's name is `lowercase` in any case, compared byte by byte (no lower-cased
    /// copy of every header of every call).
    static func isNamed(_ name: String, _ lowercase: String) -> Bool {
        name.utf8.count == lowercase.utf8.count
            && zip(name.utf8, lowercase.utf8).allSatisfy { byte, lower in
                byte == lower || ((UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) && byte | 0x20 == lower)
            }
    }
}
