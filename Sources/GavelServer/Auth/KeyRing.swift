import Crypto
import GavelCore

/// The API keys the server accepts, by hash, in memory: a lookup per request costs one SHA-256
/// and a dictionary read. Revoking a key removes it at once.
public final class KeyRing: Sendable {
    private let identities = Locked<[String: Identity]>([:])

    /// Creates an empty ring.
    public init() {}

    /// The lower-case hex SHA-256 of a key, as stored.
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Replaces the ring's contents with stored keys.
    public func load(_ records: [APIKeyRecord]) {
        let entries = records.map { ($0.hash, Identity(keyID: $0.id, role: $0.role, subjectID: $0.subjectID)) }
        identities.withLock { $0 = Dictionary(entries, uniquingKeysWith: { first, _ in first }) }
    }

    /// Accepts a key.
    public func add(hash: String, identity: Identity) {
        identities.withLock { $0[hash] = identity }
    }

    /// Stops accepting a key by its id; returns whether it was known.
    @discardableResult
    public func remove(keyID: String) -> Bool {
        identities.withLock { identities in
            let hashes = identities.filter { $0.value.keyID == keyID }.map(\.key)
            for hash in hashes { identities[hash] = nil }
            return !hashes.isEmpty
        }
    }

    /// Stops accepting every key bound to a subject.
    public func remove(subjectID: String, role: Role) {
        identities.withLock { identities in identities = identities.filter { !($0.value.subjectID == subjectID && $0.value.role == role) } }
    }

    /// The identity of a presented key.
    public func identity(forKey key: String) -> Identity? {
        identity(forHash: Self.hash(key))
    }

    /// The identity of a key known by its hash.
    public func identity(forHash hash: String) -> Identity? {
        identities.withLock { $0[hash] }
    }

    /// A new random key for a role: `gvl_` and 40 base-32 characters (200 bits).
    public static func newKey() -> String {
        "gvl_" + IDGenerator().secret(length: 40)
    }
}
