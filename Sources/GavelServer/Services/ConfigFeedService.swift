import GavelCore
import Logging
import ServiceLifecycle

/// Keeps a node's in-memory configuration in step with the shared database: each element of
/// the store's change feed (a write on any node, or a resync after the `LISTEN` connection
/// came back) reloads the configuration into the `MarketCache`, the API keys into the
/// `KeyRing` and the webhooks into the `WebhookHub`. Reloads run one after another, so the
/// last one always follows the last change (a webhook created here a moment ago and missed by
/// a reload comes back with the next, which its own notification triggers).
///
/// A reload must never undo a change this node's `ConfigService` applied in memory while the
/// reload was reading (the store's notification of that change comes later, but the cache
/// would be stale until then): the market is swapped only if it did not change during the
/// read (else the read is retried), and keys are changed by difference with the previous read
/// (keys that appeared in the database are added, keys that disappeared are revoked), so a
/// key created here a moment ago is never dropped. The first reload replaces every key (the
/// bootstrap admin token is kept).
public struct ConfigFeedService<C: Clock>: Service where C.Duration == Duration {
    let changes: AsyncStream<String>
    let app: GavelApp<C>
    let adminToken: String?
    let logger: Logger

    /// Creates the service for a node's change feed.
    public init(changes: AsyncStream<String>, app: GavelApp<C>, adminToken: String?, logger: Logger) {
        self.changes = changes
        self.app = app
        self.adminToken = adminToken
        self.logger = logger
    }

    /// Reloads after each change until graceful shutdown.
    public func run() async {
        await cancelWhenGracefulShutdown {
            var known: Set<APIKeyRecord>?
            for await _ in changes {
                await reloadMarket()
                known = await reloadKeys(known: known)
                await reloadWebhooks()
            }
        }
    }

    private func reloadMarket() async {
        for _ in 0..<10 {
            let before = app.market.current.config
            let loaded: MarketConfig
            do {
                loaded = try await app.store.loadConfig()
            } catch {
                return warn("configuration", error)
            }
            var swapped = false
            app.market.update { config in
                guard config == before else { return }
                config = loaded
                swapped = true
            }
            if swapped { return }
        }
    }

    /// Applies the keys' changes since the previous read; returns this read.
    private func reloadKeys(known: Set<APIKeyRecord>?) async -> Set<APIKeyRecord>? {
        let current: Set<APIKeyRecord>
        do {
            current = Set(try await app.store.apiKeys())
        } catch {
            warn("API keys", error)
            return known
        }
        guard let known else {
            app.keys.load(Array(current))
            if let adminToken, !adminToken.isEmpty {
                app.keys.add(hash: KeyRing.hash(adminToken), identity: Identity(keyID: "bootstrap", role: .admin, subjectID: nil))
            }
            return current
        }
        for record in current.subtracting(known) {
            app.keys.add(hash: record.hash, identity: Identity(keyID: record.id, role: record.role, subjectID: record.subjectID))
        }
        for record in known.subtracting(current) { app.keys.remove(keyID: record.id) }
        return current
    }

    /// Reloads the webhooks (created or deleted on any node).
    private func reloadWebhooks() async {
        do {
            app.webhooks.replace(try await app.store.webhooks())
        } catch {
            warn("webhooks", error)
        }
    }

    private func warn(_ what: String, _ error: any Error) {
        logger.warning("could not reload the \(what) after a change", metadata: ["error": "\(error)"])
    }
}
