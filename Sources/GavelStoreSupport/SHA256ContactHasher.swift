import Crypto
import GavelCore

/// SHA-256 for contact keys and suppression lists, from swift-crypto.
public struct SHA256ContactHasher: ContactHasher {
    /// Creates the hasher.
    public init() {}

    /// The lower-case hex SHA-256 of the text's UTF-8 bytes.
    public func sha256Hex(_ text: String) -> String {
        HashKey.hex(SHA256.hash(data: Array(text.utf8)))
    }
}
