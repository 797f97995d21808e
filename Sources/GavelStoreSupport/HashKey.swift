import Foundation

/// A SHA-256 digest held as four 64-bit words: a compact, fast key for the in-memory
/// suppression lists (a million of them load and match quickly) and a 32-byte BLOB on disk.
package struct HashKey: Hashable, Comparable, Sendable {
    package var w0: UInt64
    package var w1: UInt64
    package var w2: UInt64
    package var w3: UInt64

    /// Parses 64 hex digits (either case); `nil` for anything else.
    package init?(hex: String) {
        self.init(w0: 0, w1: 0, w2: 0, w3: 0)
        var count = 0
        for byte in hex.utf8 {
            guard count < 64, let nibble = Self.nibble(byte) else { return nil }
            push(UInt64(nibble), bits: 4, word: count / 16)
            count += 1
        }
        guard count == 64 else { return nil }
    }

    /// Reads the 32 big-endian bytes of a stored digest; `nil` for any other length.
    package init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        self.init(w0: 0, w1: 0, w2: 0, w3: 0)
        for (index, byte) in bytes.enumerated() {
            push(UInt64(byte), bits: 8, word: index / 8)
        }
    }

    private init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    private mutating func push(_ value: UInt64, bits: UInt64, word: Int) {
        switch word {
        case 0: w0 = w0 << bits | value
        case 1: w1 = w1 << bits | value
        case 2: w2 = w2 << bits | value
        default: w3 = w3 << bits | value
        }
    }

    /// Orders keys as their stored bytes sort.
    package static func < (lhs: HashKey, rhs: HashKey) -> Bool {
        if lhs.w0 != rhs.w0 { return lhs.w0 < rhs.w0 }
        if lhs.w1 != rhs.w1 { return lhs.w1 < rhs.w1 }
        if lhs.w2 != rhs.w2 { return lhs.w2 < rhs.w2 }
        return lhs.w3 < rhs.w3
    }

    /// The 32 big-endian bytes, as stored.
    package var data: Data {
        var data = Data(capacity: 32)
        for word in [w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian] {
            withUnsafeBytes(of: word) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// The lower-case hex digits.
    package var hex: String { Self.hex(data) }

    /// Lower-case hex of any bytes.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
