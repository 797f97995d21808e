import AsyncHTTPClient
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

/// One HTTP call under a deadline, over the shared client. Never throws: every failure is a
/// ``CallResult``.
struct BuyerTransport: Sendable {
    let client: HTTPClient
    let configuration: HTTPBuyerGateway.Configuration
    let wallClock: any WallClock
    let logger: Logger
    let addressGuard: AddressGuard

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
        guard Self.isWebURL(rendered.url) else { return .failed("not an http or https URL") }
        guard !Task.isCancelled else { return .timeout("cancelled") }
        let target: String
        switch await addressGuard.check(rendered.url) {
        case .refused(let reason): return .failed("blocked: \(reason)")
        case .allowed(let pinned): target = Self.pinned(rendered.url, to: pinned)
        }
        let request = httpRequest(rendered, url: target, host: target == rendered.url ? nil : Self.hostHeader(rendered.url))
        let result = await perform(request, readsBody: readsBody)
        return Task.isCancelled ? .timeout("cancelled") : result
    }

    /// An `http://` URL with its host replaced by the address that was checked, so the
    /// connection goes exactly where the SSRF guard looked; `https://` URLs keep their name (TLS).
    static func pinned(_ url: String, to address: String?) -> String {
        guard let address, url.lowercased().hasPrefix("http://"), var components = URLComponents(string: url) else { return url }
        components.host = address
        return components.string ?? url
    }

    /// The `Host` header a URL implies: its host, and its port when not the default.
    static func hostHeader(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        return components.port.map { "\(host):\($0)" } ?? host
    }

    /// Only `http` and `https`: AsyncHTTPClient also speaks to Unix sockets (`http+unix://`),
    /// which a buyer's URL must never reach.
    static func isWebURL(_ url: String) -> Bool {
        let lower = url.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    private func httpRequest(_ rendered: RenderedRequest, url: String, host: String?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        if let host { request.headers.add(name: "Host", value: host) }
        request.method = HTTPMethod(rawValue: rendered.method)
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        for header in rendered.headers { request.headers.add(name: header.name, value: header.value) }
        if !rendered.body.isEmpty || rendered.method != "GET" { request.body = .bytes(ByteBuffer(bytes: rendered.body)) }
        return request
    }

    private func perform(_ request: HTTPClientRequest, readsBody: @Sendable (Int) -> Bool) async -> CallResult {
        do {
            let response = try await client.execute(request, deadline: .distantFuture, logger: logger)
            return try await read(response, readsBody: readsBody)
        } catch {
            return TransportError.classify(error)
        }
    }

    /// Reads a body up to the limit when `readsBody` wants it for the status.
    private func read(_ response: HTTPClientResponse, readsBody: (Int) -> Bool) async throws -> CallResult {
        let status = Int(response.status.code)
        let headers = response.headers.map { HeaderField(name: $0.name, value: $0.value) }
        guard readsBody(status) else { return .response(BuyerReply(status: status, headers: headers)) }
        let limit = configuration.maxResponseBytes
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > limit {
            return .tooLarge(status: status)
        }
        guard let body = try await Self.collect(response.body, limit: limit) else { return .tooLarge(status: status) }
        return .response(BuyerReply(status: status, body: body, headers: headers))
    }

    /// The body's bytes, or `nil` as soon as they exceed `limit` (the rest is never read).
    static func collect(_ body: HTTPClientResponse.Body, limit: Int) async throws -> [UInt8]? {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.readableBytes <= limit else { return nil }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }
}
