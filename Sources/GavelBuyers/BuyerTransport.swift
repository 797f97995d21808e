import AsyncHTTPClient
import Foundation
import GavelCore
import Logging
import NIOCore

/// What came back from one signed POST to a buyer, before the buyer protocol reads it.
enum CallResult: Sendable, Equatable {
    /// A status and the complete body (empty for non-2xx and 204: it is not read).
    case response(status: Int, body: [UInt8])
    /// A 2xx whose body went over the size limit; reading stopped there.
    case tooLarge(status: Int)
    /// The deadline passed, or the caller cancelled.
    case timeout(String)
    /// The connection could not be made or broke (refused, DNS, TLS, reset).
    case failed(String)
}

/// One signed JSON POST under a deadline, over the shared client. Never throws: every
/// failure is a ``CallResult``.
struct BuyerTransport: Sendable {
    let client: HTTPClient
    let configuration: HTTPBuyerGateway.Configuration
    let wallClock: any WallClock
    let logger: Logger
    let addressGuard: AddressGuard

    /// POSTs `body` to `url`, signed with `secret`, and reads the answer by `timeoutMS` from now.
    ///
    /// The deadline is a race in a task group: one child makes the call, one sleeps until the
    /// deadline; the first to finish decides and the other is cancelled. AsyncHTTPClient's own
    /// deadline only covers the response head, so the race also bounds a body that trickles in.
    func call(url: String, body: [UInt8], secret: String, timeoutMS: Int) async -> CallResult {
        guard Self.isWebURL(url) else { return .failed("not an http or https URL") }
        guard timeoutMS > 0 else { return .timeout("no time left") }
        guard !Task.isCancelled else { return .timeout("cancelled") }
        let target: String
        switch await addressGuard.check(url) {
        case .refused(let reason): return .failed("blocked: \(reason)")
        case .allowed(let pinned): target = Self.pinned(url, to: pinned)
        }
        let request = signedRequest(url: target, body: body, secret: secret, host: target == url ? nil : Self.hostHeader(url))
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeoutMS))
        return await withTaskGroup(of: CallResult.self) { group in
            group.addTask { await perform(request, deadline: deadline) }
            group.addTask { await Self.expire(afterMS: timeoutMS) }
            let first = await group.next() ?? .timeout("cancelled")
            group.cancelAll()
            return first
        }
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

    private static func expire(afterMS timeoutMS: Int) async -> CallResult {
        do {
            try await Task.sleep(for: .milliseconds(timeoutMS))
            return .timeout("no answer within \(timeoutMS) ms")
        } catch {
            return .timeout("cancelled")
        }
    }

    private func signedRequest(url: String, body: [UInt8], secret: String, host: String?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        if let host { request.headers.add(name: "Host", value: host) }
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        for header in BuyerSignature.headers(body: body, secret: secret, at: wallClock.now()) {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    private func perform(_ request: HTTPClientRequest, deadline: NIODeadline) async -> CallResult {
        do {
            let response = try await client.execute(request, deadline: deadline, logger: logger)
            return try await read(response)
        } catch {
            return TransportError.classify(error)
        }
    }

    /// Reads a 2xx body up to the limit; other statuses and 204 are decided by the head alone.
    private func read(_ response: HTTPClientResponse) async throws -> CallResult {
        let status = Int(response.status.code)
        guard (200..<300).contains(status), status != 204 else { return .response(status: status, body: []) }
        let limit = configuration.maxResponseBytes
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > limit {
            return .tooLarge(status: status)
        }
        guard let body = try await Self.collect(response.body, limit: limit) else { return .tooLarge(status: status) }
        return .response(status: status, body: body)
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
