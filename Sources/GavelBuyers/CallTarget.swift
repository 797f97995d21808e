import Foundation
import GavelCore
import Synchronization

/// Where one buyer call goes, parsed once from its URL: the connection it needs and the
/// request line and `Host` header it sends.
struct CallTarget: Sendable, Equatable {
    /// Whether the call runs over TLS (`https`).
    var tls: Bool
    /// The URL's host as named (an IPv6 literal without its brackets).
    var host: String
    /// The port, the scheme's default when the URL names none.
    var port: Int
    /// The request target in origin form: the percent-encoded path (at least `/`) and query.
    var path: String
    /// The `Host` header: the host (IPv6 in brackets) and the port when the URL names one.
    var hostHeader: String
    /// Whether the host is an IP address rather than a name (worked out once, here).
    var isLiteral: Bool

    /// A target; whether the host is an address literal is worked out from it.
    init(tls: Bool, host: String, port: Int, path: String, hostHeader: String) {
        self.tls = tls
        self.host = host
        self.port = port
        self.path = path
        self.hostHeader = hostHeader
        isLiteral = NetworkAddress.ipv4(host) != nil || NetworkAddress.ipv6(host) != nil
    }

    /// Why a URL cannot be called.
    enum Problem: Error, Equatable {
        /// Not an `http` or `https` URL.
        case notWeb
        /// A web URL without a host.
        case noHost
        /// A web URL that does not parse, or names an impossible port.
        case invalid
    }

    /// Parses an `http` or `https` URL.
    static func parse(_ url: String) -> Result<CallTarget, Problem> {
        guard isWebURL(url) else { return .failure(.notWeb) }
        guard let components = URLComponents(string: url) else { return .failure(.invalid) }
        guard var host = components.host, !host.isEmpty else { return .failure(.noHost) }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let tls = components.scheme?.lowercased() == "https"
        let port = components.port ?? (tls ? 443 : 80)
        guard (1...65_535).contains(port) else { return .failure(.invalid) }
        let named = host.contains(":") ? "[\(host)]" : host
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        let hostHeader = components.port.map { "\(named):\($0)" } ?? named
        return .success(CallTarget(tls: tls, host: host, port: port, path: path, hostHeader: hostHeader))
    }

    /// Only `http` and `https`: a buyer's URL must never reach another scheme (a Unix socket,
    /// a file).
    static func isWebURL(_ url: String) -> Bool {
        let lower = url.prefix(8).lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }
}

/// Parsed call targets by URL, so a buyer's URL is parsed once and not at every call
/// (`URLComponents` was over 1% of the server's CPU with twenty buyers per lead). Only URLs
/// that parse are kept; at `capacity` distinct URLs (rendered URLs can vary per lead) the
/// cache starts over.
final class CallTargets: Sendable {
    private let parsed = Mutex<[String: CallTarget]>([:])
    private let capacity: Int

    /// A cache of at most `capacity` URLs.
    init(capacity: Int = 1_024) {
        self.capacity = capacity
    }

    /// The URL's target, parsed now or earlier.
    func target(_ url: String) -> Result<CallTarget, CallTarget.Problem> {
        if let known = parsed.withLock({ $0[url] }) { return .success(known) }
        let result = CallTarget.parse(url)
        if case .success(let target) = result {
            parsed.withLock { cache in
                if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
                cache[url] = target
            }
        }
        return result
    }

    /// How many URLs are kept.
    var count: Int { parsed.withLock { $0.count } }
}
