import Foundation
import GavelCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The SSRF guard at configuration time: a campaign's buyer URLs must not resolve to loopback,
/// private, link-local or cloud-metadata addresses, unless private buyer URLs are allowed
/// (demos and tests on one machine).
public struct BuyerURLGuard: Sendable {
    /// Whether private addresses are allowed.
    public var allowPrivate: Bool

    /// Creates a guard.
    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// The errors for a campaign's URLs.
    func check(_ campaign: Campaign) async -> [FieldError] {
        guard !allowPrivate else { return [] }
        var errors: [FieldError] = []
        let urls = [("delivery.ping_url", campaign.delivery.pingURL), ("delivery.post_url", campaign.delivery.postURL)]
        for case let (field, url?) in urls {
            if let problem = await problem(with: url) { errors.append(FieldError(field: field, message: problem)) }
        }
        return errors
    }

    /// Why a URL is refused, or `nil` when it is fine.
    public func problem(with url: String) async -> String? {
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return "has no host" }
        let addresses = await Self.resolve(host)
        if addresses.isEmpty { return "host '\(host)' does not resolve" }
        if let bad = addresses.first(where: NetworkAddress.isRestricted) {
            return "resolves to \(bad), a loopback, private, link-local or metadata address (start the server with --allow-private-buyer-urls to allow it)"
        }
        return nil
    }

    /// The addresses a host name resolves to (an IP literal resolves to itself).
    public static func resolve(_ host: String) async -> [String] {
        if NetworkAddress.ipv4(host) != nil { return [host] }
        if NetworkAddress.ipv6(host) != nil { return [host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))] }
        return (try? await NIOThreadPool.singleton.runIfActive { lookup(host) }) ?? []
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
        return String(cString: buffer)
    }
}
