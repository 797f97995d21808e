/// The books' hash chain: every sealed record is one link, at positions 1, 2, 3, … Each link
/// commits to the one before it:
///
///     hash(pos) = SHA-256(hash(pos − 1) | pos | name | digest)      (lower-case hex, `|` literal)
///
/// with `hash(0)` = 64 zeros (``genesis``), `name` the record's name (``ChainRecord/name``) and
/// `digest` the SHA-256 of its canonical text. Changing a sealed record changes its digest;
/// changing, removing or reordering a link breaks the next one; rewriting the whole chain from
/// some point on changes every later hash, the head's included, which an anchored head
/// (``ChainAnchor``) catches.
public enum Chain {
    /// The hash before the first link.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of a link.
    public static func hash(previous: String, pos: Int64, record: String, digest: String, hasher: some Digester) -> String {
        hasher.sha256Hex("\(previous)|\(pos)|\(record)|\(digest)")
    }

    /// Links records, in order, after a head (`nil`: the chain is empty), sealed at `at`.
    public static func link(
        _ records: [ChainRecord], after head: ChainHead?, at: Timestamp, hasher: some Digester
    ) -> [ChainLink] {
        var (pos, previous) = (head?.pos ?? 0, head?.hash ?? genesis)
        return records.map { record in
            pos += 1
            let (name, digest) = (record.name, record.digest(hasher))
            previous = hash(previous: previous, pos: pos, record: name, digest: digest, hasher: hasher)
            return ChainLink(pos: pos, record: name, digest: digest, hash: previous, at: at)
        }
    }
}

/// One link of the chain, as stored.
public struct ChainLink: Sendable, Hashable {
    /// Its position, from 1.
    public var pos: Int64
    /// The sealed record's name.
    public var record: String
    /// The record's digest when it was sealed.
    public var digest: String
    /// The link's hash.
    public var hash: String
    /// When it was sealed (not part of the hash).
    public var at: Timestamp

    /// Creates a link.
    public init(pos: Int64, record: String, digest: String, hash: String, at: Timestamp) {
        self.pos = pos
        self.record = record
        self.digest = digest
        self.hash = hash
        self.at = at
    }

    /// The head the chain has when this link is its last.
    public var head: ChainHead { ChainHead(pos: pos, hash: hash, at: at) }
}

/// The chain's last link: what an operator exports and anchors elsewhere (another system, a
/// ticket, a signed e-mail), to check later that the chain up to it was not rewritten.
public struct ChainHead: Sendable, Hashable, CustomStringConvertible {
    /// Its position (the chain's length).
    public var pos: Int64
    /// Its hash.
    public var hash: String
    /// When it was sealed.
    public var at: Timestamp?

    /// Creates a head.
    public init(pos: Int64, hash: String, at: Timestamp?) {
        self.pos = pos
        self.hash = hash
        self.at = at
    }

    /// The head of an empty chain.
    public static let empty = ChainHead(pos: 0, hash: Chain.genesis, at: nil)

    /// `{"pos": …, "hash": "…", "at": "…"}` (`at` null for an empty chain).
    public var json: JSONValue {
        .object(["pos": .number(Number(significand: pos)), "hash": .string(hash), "at": at?.json ?? .null])
    }

    /// `POS:HASH`, the form `gavel audit --expect-head` takes.
    public var description: String { "\(pos):\(hash)" }

    /// Two heads are the same when their positions and hashes are (when a link was sealed is
    /// not part of its hash).
    public static func == (lhs: ChainHead, rhs: ChainHead) -> Bool {
        (lhs.pos, lhs.hash) == (rhs.pos, rhs.hash)
    }

    /// Hashes the position and hash.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(pos)
        hasher.combine(self.hash)
    }
}

/// A head anchored elsewhere, `POS:HASH`: the chain must still hold that hash at that
/// position (it may have grown since).
public struct ChainAnchor: Sendable, Hashable {
    /// The anchored position.
    public var pos: Int64
    /// Its hash, lower-case hex.
    public var hash: String

    /// Reads `POS:HASH`; `nil` unless POS is a positive integer and HASH 64 hex digits.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let pos = Int64(parts[0]), pos >= 0 else { return nil }
        let hash = parts[1].lowercased()
        guard hash.utf8.count == 64, hash.allSatisfy(\.isHexDigit) else { return nil }
        self.pos = pos
        self.hash = hash
    }

    /// What is wrong with the chain's link at the anchored position (`nil` if it is not
    /// there), or `nil` when it matches.
    public func problem(_ link: ChainLink?) -> String? {
        if pos == 0 { return hash == Chain.genesis ? nil : "the anchored head 0:\(hash) is not the empty chain's" }
        guard let link else { return "the chain no longer reaches the anchored position \(pos): it was cut short" }
        guard link.hash == hash else {
            return "chain position \(pos) no longer has the anchored hash \(hash) (it has \(link.hash)): the chain was rewritten"
        }
        return nil
    }
}
