import Crypto
import Foundation
import GavelStoreSupport
import PostgresNIO

/// A contact key as the PostgreSQL store indexes it: 32 bytes — the bytes of a lower-case
/// SHA-256 hex digest (what the exchange's hasher makes), or the SHA-256 of any other text (so
/// keys are still compared whole) — and the advisory lock that serializes dedupe on it.
struct PostgresContactKey: Hashable, Sendable {
    /// The 32 stored bytes.
    let bytes: [UInt8]

    /// The indexed form of a key.
    init(_ key: String) {
        if Self.isLowerHexDigest(key), let hash = HashKey(hex: key) {
            bytes = Array(hash.data)
        } else {
            bytes = Array(SHA256.hash(data: Array(key.utf8)))
        }
    }

    /// The transaction-scoped advisory lock of this key: its first 8 bytes as a signed integer.
    var lock: Int64 {
        Int64(bitPattern: bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// The bytes as a bind value.
    var buffer: ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    /// The binds of a lead's keys: distinct digests, and their locks in ascending order (so two
    /// transactions never wait for each other's locks in a cycle).
    static func binds(_ keys: [String]) -> (digests: [ByteBuffer], locks: [Int64]) {
        let unique = Array(Set(keys.map(PostgresContactKey.init)))
        return (unique.map(\.buffer), Array(Set(unique.map(\.lock))).sorted())
    }

    private static func isLowerHexDigest(_ key: String) -> Bool {
        key.utf8.count == 64
            && key.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}
