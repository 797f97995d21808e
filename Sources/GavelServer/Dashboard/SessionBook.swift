import Crypto
import GavelCore

/// A person signed in to the dashboard with an API key.
///
/// The key itself stays in server memory only (never in a cookie, a URL or a log), so that each
/// request can check it is still in the ``KeyRing``: revoking the key ends its sessions at once.
struct DashboardSession: Sendable, Hashable {
    /// Who the key belonged to when the session began.
    var identity: Identity
    /// The key, to re-resolve against the key ring on every request.
    var credential: Credential
    /// The session's CSRF token, carried by every form.
    var csrf: String
    /// The viewer's time zone (an IANA name).
    var timezone: String
    /// When the session began.
    var createdAt: Timestamp
    /// When it was last used.
    var lastSeen: Timestamp
}

/// What a session remembers of the API key it signed in with: only the key's SHA-256 (as the
/// store keeps it), so a session can be re-checked against the key ring without holding the
/// key. Never printed: its description is redacted.
struct Credential: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The key's hash.
    let keyHash: String

    /// The credential of a presented key.
    init(key: String) {
        keyHash = KeyRing.hash(key)
    }

    /// Redacted.
    var description: String { "<api key>" }
    /// Redacted.
    var debugDescription: String { "<api key>" }
}

/// A one-time sign-in link waiting to be used.
struct PendingLink: Sendable, Hashable {
    /// Who it signs in as.
    var identity: Identity
    /// The key that minted it.
    var credential: Credential
    /// When it lapses.
    var expiresAt: Timestamp
}

/// The dashboard's sessions and one-time links as a value: every rule about expiry lives here,
/// driven by the times it is given, so it is tested without a clock. Ids and tokens are kept
/// only as SHA-256 digests.
struct SessionBook: Sendable {
    /// How long things last.
    struct Policy: Sendable, Hashable {
        /// A session unused this long ends (milliseconds).
        var idle: Int64 = 30 * 60_000
        /// A session ends this long after it began, used or not (milliseconds).
        var lifetime: Int64 = 12 * 3_600_000
        /// A one-time link lapses this long after it was minted (milliseconds).
        var linkLifetime: Int64 = 60_000
        /// The most sessions kept; the least recently used go first.
        var maxSessions = 10_000
        /// The most unused links kept.
        var maxLinks = 1_000

        /// The default policy.
        init() {}
    }

    let policy: Policy
    private(set) var sessions: [String: DashboardSession] = [:]
    private(set) var links: [String: PendingLink] = [:]

    /// An empty book.
    init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// The digest a secret is kept under.
    static func digest(_ secret: String) -> String {
        KeyRing.hash(secret)
    }

    /// Starts a session under a new id.
    mutating func open(_ id: String, _ session: DashboardSession) {
        prune(now: session.createdAt)
        if sessions.count >= policy.maxSessions, let oldest = sessions.min(by: { $0.value.lastSeen < $1.value.lastSeen }) {
            sessions[oldest.key] = nil
        }
        sessions[Self.digest(id)] = session
    }

    /// The live session of an id, marked as used now; an expired one is removed.
    mutating func use(_ id: String, now: Timestamp) -> DashboardSession? {
        let digest = Self.digest(id)
        guard var session = sessions[digest] else { return nil }
        guard isLive(session, now: now) else {
            sessions[digest] = nil
            return nil
        }
        session.lastSeen = now
        sessions[digest] = session
        return session
    }

    /// Whether a session has neither idled out nor outlived its lifetime.
    func isLive(_ session: DashboardSession, now: Timestamp) -> Bool {
        now.milliseconds - session.lastSeen.milliseconds < policy.idle
            && now.milliseconds - session.createdAt.milliseconds < policy.lifetime
    }

    /// Ends a session.
    mutating func close(_ id: String) {
        sessions[Self.digest(id)] = nil
    }

    /// Changes a session's time zone.
    mutating func setTimezone(_ id: String, _ zone: String) {
        sessions[Self.digest(id)]?.timezone = zone
    }

    /// Keeps a new one-time link under its token.
    mutating func mint(_ token: String, _ link: PendingLink, now: Timestamp) {
        links = links.filter { $0.value.expiresAt > now }
        if links.count >= policy.maxLinks, let first = links.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
            links[first.key] = nil
        }
        links[Self.digest(token)] = link
    }

    /// Uses up a link: it is removed whatever happens, and returned only if it had not lapsed.
    mutating func redeem(_ token: String, now: Timestamp) -> PendingLink? {
        guard let link = links.removeValue(forKey: Self.digest(token)) else { return nil }
        return link.expiresAt > now ? link : nil
    }

    /// Drops expired sessions and links.
    mutating func prune(now: Timestamp) {
        sessions = sessions.filter { isLive($0.value, now: now) }
        links = links.filter { $0.value.expiresAt > now }
    }
}
