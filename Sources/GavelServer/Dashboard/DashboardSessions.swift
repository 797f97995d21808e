import GavelCore

/// The dashboard's in-memory sessions: a ``SessionBook`` behind a lock, with the clock, the
/// key ring and the random ids. Sessions live in this process (a node behind a load balancer
/// needs sticky sessions) and end on restart.
final class DashboardSessions: Sendable {
    private let book: Locked<SessionBook>
    private let keys: KeyRing
    private let clock: any WallClock
    private let ids = IDGenerator()
    /// The policy in force.
    let policy: SessionBook.Policy

    /// Creates an empty session store.
    init(keys: KeyRing, clock: any WallClock, policy: SessionBook.Policy = SessionBook.Policy()) {
        self.keys = keys
        self.clock = clock
        self.policy = policy
        book = Locked(SessionBook(policy: policy))
    }

    /// A new random secret of 260 bits.
    func secret() -> String {
        ids.secret(length: 52)
    }

    /// Signs in with an API key: a new session (and its id) when the key is valid.
    func signIn(key: String, timezone: String = "UTC") -> (id: String, session: DashboardSession)? {
        guard let identity = keys.identity(forKey: key) else { return nil }
        return open(identity: identity, credential: Credential(key: key), timezone: timezone)
    }

    private func open(identity: Identity, credential: Credential, timezone: String) -> (id: String, session: DashboardSession) {
        let now = clock.now()
        let id = secret()
        let session = DashboardSession(
            identity: identity, credential: credential, csrf: secret(), timezone: timezone, createdAt: now, lastSeen: now)
        book.withLock { $0.open(id, session) }
        return (id, session)
    }

    /// The live session of a cookie's id, provided its key still resolves to the same identity;
    /// otherwise the session ends.
    func session(id: String) -> DashboardSession? {
        let now = clock.now()
        guard let session = book.withLock({ $0.use(id, now: now) }) else { return nil }
        guard keys.identity(forHash: session.credential.keyHash) == session.identity else {
            book.withLock { $0.close(id) }
            return nil
        }
        return session
    }

    /// Ends a session.
    func signOut(id: String) {
        book.withLock { $0.close(id) }
    }

    /// Stores the viewer's time zone.
    func setTimezone(id: String, zone: String) {
        book.withLock { $0.setTimezone(id, zone) }
    }

    /// Mints a one-time sign-in link for the identity of a key; returns its token and expiry.
    func mintLink(key: String, identity: Identity) -> (token: String, expiresAt: Timestamp) {
        let now = clock.now()
        let token = secret()
        let link = PendingLink(
            identity: identity, credential: Credential(key: key), expiresAt: now.adding(milliseconds: policy.linkLifetime))
        book.withLock { $0.mint(token, link, now: now) }
        return (token, link.expiresAt)
    }

    /// Uses up a one-time link: a new session when it was valid, unexpired, unused, and its key
    /// still resolves to the same identity.
    func redeem(token: String) -> (id: String, session: DashboardSession)? {
        let now = clock.now()
        guard let link = book.withLock({ $0.redeem(token, now: now) }),
            keys.identity(forHash: link.credential.keyHash) == link.identity
        else { return nil }
        return open(identity: link.identity, credential: link.credential, timezone: "UTC")
    }
}
