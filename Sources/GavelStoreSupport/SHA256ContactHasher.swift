import Crypto
import GavelCore

/// Plain SHA-256, from swift-crypto: the books' chain hashes with it (``Digester``), and as a
/// ``ContactHasher`` it makes the plain contact keys buyers' suppression lists are written in.
/// The exchange itself keys contacts with ``KeyedContactHasher``; as a contact hasher this one
/// serves tests and fixtures that want keys anyone can compute.
public struct SHA256ContactHasher: ContactHasher, Digester {
    /// Creates the hasher.
    public init() {}

    /// The lower-case hex SHA-256 of the text's UTF-8 bytes.
    public func sha256Hex(_ text: String) -> String {
        HashKey.hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// The SHA-256 of the text, in hex.
    public func contactKey(_ text: String) -> String {
        sha256Hex(text)
    }

    /// The digest itself, lower-cased.
    public func contactKey(sha256Hex: String) -> String? {
        HashKey(hex: sha256Hex)?.hex
    }
}

/// The exchange's contact keys: HMAC-SHA256, with a secret of the database, over the SHA-256
/// digest (32 bytes) of the normalized contact text, as lower-case hex.
///
/// Keying the digest rather than the text lets a store turn the plain SHA-256 keys of older
/// databases and the digests of buyers' suppression lists into keyed ones without ever seeing
/// a phone number or an email. A stored key matches nothing outside the database: the same
/// phone has another key under another secret, and no table of SHA-256 digests finds it.
public struct KeyedContactHasher: ContactHasher {
    private let key: SymmetricKey

    /// Creates the hasher for a database's secret.
    public init(secret: [UInt8]) {
        key = SymmetricKey(data: secret)
    }

    /// The keyed hash of the text's SHA-256 digest.
    public func contactKey(_ text: String) -> String {
        keyed(Array(SHA256.hash(data: Array(text.utf8))))
    }

    /// The keyed hash of a SHA-256 digest given in hex; `nil` when it is not 64 hex digits.
    public func contactKey(sha256Hex: String) -> String? {
        HashKey(hex: sha256Hex).map { keyed(Array($0.data)) }
    }

    /// The keyed hash of 32 digest bytes, in hex.
    package func keyed(_ digest: [UInt8]) -> String {
        HashKey.hex(HMAC<SHA256>.authenticationCode(for: digest, using: key))
    }

    /// A new random secret for a database (32 bytes).
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
