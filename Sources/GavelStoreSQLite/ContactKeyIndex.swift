import Crypto
import GavelStoreSupport

/// How contact keys are indexed for dedupe and campaign history: `lead_contacts` holds the
/// first 64 bits of each key's digest and the lead's row number, about 20 bytes a key, so the
/// index of a busy exchange stays small (the keys are random, so every insert lands on its own
/// page). A match on the prefix is confirmed against the full key in the lead's row.
enum ContactKeyIndex {
    /// The indexed prefix of a key: its first 8 bytes when it is a SHA-256 hex digest (always,
    /// from the exchange's hasher), else the first 8 bytes of the SHA-256 of its text.
    static func prefix(_ key: String) -> Int64 {
        if let hash = HashKey(hex: key) { return Int64(bitPattern: hash.w0) }
        let digest = Array(SHA256.hash(data: Array(key.utf8)))
        return Int64(bitPattern: digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// The text that confirms a key in a lead's stored `contacts` JSON: the key as a string.
    static func needle(_ key: String) -> String {
        "\"" + key + "\""
    }
}
