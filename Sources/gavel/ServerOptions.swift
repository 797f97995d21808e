import ArgumentParser
import Foundation
import GavelBuyers
import GavelCore
import GavelServer

/// The server flags of the contract, each with an environment twin (the flag wins).
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to bind (env GAVEL_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to bind, 0 for any free port (env GAVEL_PORT; default 8080).")
    var port: Int?

    @Option(help: "sqlite:<path> or postgres://user:pass@host:port/db (env GAVEL_DATABASE; default sqlite:gavel.sqlite).")
    var database: String?

    @Option(help: "Bootstrap admin token (env GAVEL_ADMIN_TOKEN; default: generated and printed once on an empty database).")
    var adminToken: String?

    @Flag(
        name: .customLong("allow-private-buyer-urls"),
        help: "Allow buyer URLs on loopback/private addresses (env GAVEL_ALLOW_PRIVATE_BUYER_URLS=true).")
    var allowPrivateBuyerURLs = false

    @Option(
        name: .customLong("trust-roots"),
        help: "A PEM file of extra certificate authorities for https buyer and webhook URLs (env GAVEL_TRUST_ROOTS; default none)."
    )
    var trustRoots: String?

    @Option(help: "Requests per second allowed per API key, bursts of twice that; 0 for no limit (env GAVEL_RATE_LIMIT; default 2000).")
    var rateLimit: Int?

    @Option(help: "Milliseconds between the rounds that seal the books' chain on PostgreSQL (env GAVEL_SEAL_INTERVAL_MS; default 1000).")
    var sealIntervalMs: Int?

    @Option(help: "How long a webhook delivery is retried, in seconds (env GAVEL_WEBHOOK_RETRY_SECONDS; default 86400).")
    var webhookRetrySeconds: Int?

    @Option(
        name: .customLong("webhook-backoff-ms"),
        help:
            "The delay before a webhook delivery's first retry, in ms; each next one doubles, jittered (env GAVEL_WEBHOOK_BACKOFF_MS; default 10000)."
    )
    var webhookBackoffMS: Int?

    @Option(
        name: .customLong("webhook-max-backoff-ms"),
        help: "The longest delay between webhook retries, in ms (env GAVEL_WEBHOOK_MAX_BACKOFF_MS; default 3600000).")
    var webhookMaxBackoffMS: Int?

    /// The configuration: flag, else environment, else the contract's default.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        let defaults = ServerConfiguration()
        let envPort = try environment["GAVEL_PORT"].map { text in
            guard let value = Int(text) else { throw ValidationError("GAVEL_PORT must be a number, not '\(text)'") }
            return value
        }
        let resolvedPort = port ?? envPort ?? defaults.port
        guard (0...65_535).contains(resolvedPort) else { throw ValidationError("the port must be 0...65535") }
        let envRate = try environment["GAVEL_RATE_LIMIT"].map { text in
            guard let value = Int(text), value >= 0 else { throw ValidationError("GAVEL_RATE_LIMIT must be a number, not '\(text)'") }
            return value
        }
        let rate = rateLimit ?? envRate ?? RateLimiter.Configuration().rate
        guard rate >= 0 else { throw ValidationError("--rate-limit must not be negative") }
        let envAllow = ["true", "1", "yes"].contains(environment["GAVEL_ALLOW_PRIVATE_BUYER_URLS"]?.lowercased() ?? "")
        return ServerConfiguration(
            host: host ?? environment["GAVEL_HOST"] ?? defaults.host, port: resolvedPort,
            database: database ?? environment["GAVEL_DATABASE"] ?? defaults.database,
            adminToken: adminToken ?? environment["GAVEL_ADMIN_TOKEN"],
            allowPrivateBuyerURLs: allowPrivateBuyerURLs || envAllow,
            rateLimit: RateLimiter.Configuration(rate: rate, burst: rate * 2), sealInterval: try sealInterval(environment),
            webhookRetry: try webhookRetry(environment), trustRoots: try checkedTrustRoots(environment))
    }

    /// The extra trust roots' file, once it is known to hold at least one certificate: a server
    /// started with a wrong path would otherwise fail every https call it makes.
    private func checkedTrustRoots(_ environment: [String: String]) throws -> String? {
        guard let path = trustRoots ?? environment["GAVEL_TRUST_ROOTS"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        do {
            _ = try TrustRoots.certificates(in: path)
        } catch {
            throw ValidationError("--trust-roots \(path): \(error)")
        }
        return path
    }

    /// How often the books' chain is sealed on PostgreSQL: the flag, else the environment, else a second.
    private func sealInterval(_ environment: [String: String]) throws -> Duration {
        let envSeal = try environment["GAVEL_SEAL_INTERVAL_MS"].map { text in
            guard let value = Int(text) else { throw ValidationError("GAVEL_SEAL_INTERVAL_MS must be a number, not '\(text)'") }
            return value
        }
        let seal = sealIntervalMs ?? envSeal ?? 1_000
        guard seal > 0 else { throw ValidationError("--seal-interval-ms must be more than 0") }
        return .milliseconds(seal)
    }

    /// The webhook retry policy: flags, else environment, else a day of backoff from 10 s to an hour.
    private func webhookRetry(_ environment: [String: String]) throws -> WebhookRetryPolicy {
        let defaults = WebhookRetryPolicy()
        func value(_ flag: Int?, _ name: String, _ fallback: Int64) throws -> Int64 {
            if let flag { return Int64(flag) }
            guard let text = environment[name] else { return fallback }
            guard let number = Int64(text) else { throw ValidationError("\(name) must be a number, not '\(text)'") }
            return number
        }
        let window = try value(webhookRetrySeconds, "GAVEL_WEBHOOK_RETRY_SECONDS", defaults.window.milliseconds / 1_000)
        let first = try value(webhookBackoffMS, "GAVEL_WEBHOOK_BACKOFF_MS", defaults.firstDelay.milliseconds)
        let most = try value(webhookMaxBackoffMS, "GAVEL_WEBHOOK_MAX_BACKOFF_MS", defaults.maxDelay.milliseconds)
        guard window >= 0, first >= 1, most >= 1 else {
            throw ValidationError("webhook retry seconds must not be negative, and backoffs must be at least 1 ms")
        }
        return WebhookRetryPolicy(firstDelay: .milliseconds(first), maxDelay: .milliseconds(most), window: .seconds(window))
    }
}
