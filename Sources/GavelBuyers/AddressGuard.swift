import Foundation
import GavelCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The SSRF guard: buyer URLs must not reach loopback, private, link-local or cloud-metadata
/// addresses unless private addresses are allowed (demos and tests on one machine).
///
/// It is applied when a campaign is saved and again before every call. For `http://` URLs the
/// call then connects to the very address that was checked (the URL's host is replaced by it and
/// the `Host` header keeps the name), so DNS rebinding between check and connect cannot redirect
/// it. For `https://` the name is kept for TLS; a rebound name would reach an internal address
/// only with a TLS handshake that fails unless that host holds a certificate for the buyer's name,
/// so no request is delivered there.
public final class AddressGuard: Sendable {
    /// Whether private addresses are allowed.
    public let allowPrivate: Bool
    private let cache = Locked<[String: (addresses: [String], expires: ContinuousClock.Instant)]>([:])
    private let ttl: Duration

    /// Creates a guard; resolutions are cached for `ttl`.
    public init(allowPrivate: Bool, ttl: Duration = .seconds(5)) {
        self.allowPrivate = allowPrivate
        self.ttl = ttl
    }

    /// What a checked URL resolves to.
    public enum Verdict: Sendable, Equatable {
        /// Allowed; `pinnedAddress` is the checked address to connect to for `http://` URLs.
        case allowed(pinnedAddress: String?)
        /// Refused, with the reason.
        case refused(String)
    }

    /// Checks a URL's host.
    public func check(_ url: String) async -> Verdict {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            return .refused("has no host")
        }
        return await check(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host)
    }

    /// Checks a host name or address (an IPv6 literal without brackets).
    public func check(host: String) async -> Verdict {
        if allowPrivate { return .allowed(pinnedAddress: nil) }
        let addresses = await resolve(host)
        if addresses.isEmpty { return .refused("host '\(host)' does not resolve") }
        if let bad = addresses.first(where: NetworkAddress.isRestricted) {
            return .refused(
                "resolves to \(bad), a loopback, private, link-local or metadata address (start the server with --allow-private-buyer-urls to allow it)"
            )
        }
        let isLiteral = NetworkAddress.ipv4(host) != nil || NetworkAddress.ipv6(host) != nil
        return .allowed(pinnedAddress: isLiteral ? nil : addresses.first(where: { NetworkAddress.ipv4($0) != nil }))
    }

    /// Why a URL is refused, or `nil` when it is fine.
    public func problem(with url: String) async -> String? {
        if case .refused(let reason) = await check(url) { return reason }
        return nil
    }

    /// The addresses a host resolves to (an IP literal resolves to itself), cached briefly.
    public func resolve(_ host: String) async -> [String] {
        if NetworkAddress.ipv4(host) != nil { return [host] }
        if NetworkAddress.ipv6(host) != nil { return [host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))] }
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[host] }), cached.expires > now { return cached.addresses }
        let addresses = (try? await NIOThreadPool.singleton.runIfActive { Self.lookup(host) }) ?? []
        cache.withLock { $0[host] = (addresses, now.advanced(by: ttl)) }
        return addresses
    }

    private static func lookup(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let text = numericHost(info.pointee.ai_addr, length: info.pointee.ai_addrlen) { addresses.append(text) }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    private static func numericHost(_ address: UnsafeMutablePointer<sockaddr>?, length: socklen_t) -> String? {
        guard let address else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else { return nil }
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self)
    }
}
