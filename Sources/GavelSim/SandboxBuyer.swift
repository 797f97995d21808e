import GavelCore

/// One simulated buyer hosted by ``SandboxBuyers``: a handle to change how it answers, find
/// its URLs and read what it received. Cheap to copy; all copies share the buyer.
public struct SandboxBuyer: Sendable {
    /// The buyer's name, the `{name}` in its paths.
    public let name: String
    private let buyers: SandboxBuyers

    init(name: String, buyers: SandboxBuyers) {
        self.name = name
        self.buyers = buyers
    }

    /// The ping URL, `http://127.0.0.1:<port>/buyers/<name>/ping` (the sandbox must be running).
    public var pingURL: String { buyers.pingURL(name) }
    /// The post URL, `http://127.0.0.1:<port>/buyers/<name>/post` (the sandbox must be running).
    public var postURL: String { buyers.postURL(name) }

    /// The current behavior (the default one if the buyer was removed).
    public var behavior: Behavior { buyers.registry.behavior(name) ?? Behavior() }

    /// Changes the behavior in place, atomically, e.g. `buyer.update { $0.pingFault = .hang }`.
    public func update(_ change: (inout Behavior) -> Void) {
        _ = buyers.registry.update(name, change)
    }

    /// Replaces the behavior.
    public func set(_ behavior: Behavior) {
        buyers.registry.set(name, behavior)
    }

    /// The pings received, oldest first.
    public var pings: [Received] { buyers.registry.received(by: name, .ping) }
    /// The posts received, oldest first.
    public var posts: [Received] { buyers.registry.received(by: name, .post) }

    /// A remote delivery pointing at this buyer, signed with its secret, for a campaign.
    public func delivery(timeoutMS: Int? = nil, postTimeoutMS: Int = 5_000) -> Campaign.Delivery {
        Campaign.Delivery(
            mode: .remote, pingURL: pingURL, postURL: postURL, timeoutMS: timeoutMS, postTimeoutMS: postTimeoutMS,
            secret: behavior.secret)
    }
}
