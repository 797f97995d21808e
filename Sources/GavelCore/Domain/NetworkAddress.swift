import Foundation

/// Classifies IP addresses for the SSRF guard: buyer URLs must not point into the exchange's
/// own network (loopback, private ranges, link-local, cloud metadata) unless allowed.
public enum NetworkAddress {
    /// Whether a textual IPv4 or IPv6 address is one a buyer URL must not reach.
    public static func isRestricted(_ address: String) -> Bool {
        if let v4 = ipv4(address) { return isRestrictedV4(v4) }
        if let v6 = ipv6(address) { return isRestrictedV6(v6) }
        return true
    }

    /// The four octets of a dotted-quad IPv4 address.
    public static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            octets.append(value)
        }
        return octets
    }

    static func isRestrictedV4(_ o: [UInt8]) -> Bool {
        switch (o[0], o[1]) {
        case (0, _), (10, _), (127, _): return true  // this network, private, loopback
        case (100, 64...127): return true  // carrier-grade NAT
        case (169, 254): return true  // link-local, cloud metadata (169.254.169.254)
        case (172, 16...31), (192, 168): return true  // private
        case (192, 0) where o[2] == 0 || o[2] == 2: return true  // IETF protocol assignments, TEST-NET-1
        case (198, 18...19): return true  // benchmarking
        case (224...255, _): return true  // multicast, reserved, broadcast
        default: return false
        }
    }

    /// The sixteen bytes of an IPv6 address (with `::` compression and an embedded IPv4 tail).
    public static func ipv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        guard let head = groups(Substring(halves[0])), let tail = halves.count == 2 ? groups(Substring(halves[1])) : [] else { return nil }
        let missing = 16 - head.count - tail.count
        guard missing >= 0, halves.count == 2 || missing == 0 else { return nil }
        return head + [UInt8](repeating: 0, count: missing) + tail
    }

    private static func groups(_ text: Substring) -> [UInt8]? {
        if text.isEmpty { return [] }
        var bytes: [UInt8] = []
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, part.contains("."), let v4 = ipv4(String(part)) {
                bytes += v4
                continue
            }
            guard !part.isEmpty, part.count <= 4, let value = UInt16(part, radix: 16) else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        return bytes
    }

    static func isRestrictedV6(_ b: [UInt8]) -> Bool {
        if b[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
            return isRestrictedV4(Array(b[12..<16]))  // IPv4-mapped
        }
        if b[0] & 0xFE == 0xFC { return true }  // unique local fc00::/7
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return true }  // link-local fe80::/10
        if b[0] == 0xFF { return true }  // multicast
        if b[0] == 0xFD && b[1] == 0x00 && b[2] == 0x0E && b[3] == 0xC2 { return true }  // AWS metadata fd00:ec2::254
        return false
    }
}
