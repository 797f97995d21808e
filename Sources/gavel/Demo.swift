import ArgumentParser
import Foundation
import GavelBuyers
import GavelCore
import GavelServer
import GavelSim
import NIOHTTP1
import ServiceLifecycle

/// `gavel demo`: the exchange with a simulated market in one command — sandbox buyers on
/// loopback, sellers, campaigns and a steady stream of leads — serving its API until Ctrl-C.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the exchange with a simulated market: sandbox buyers, sellers and a live stream of leads.",
        discussion: """
            Starts the exchange (on sqlite:gavel.sqlite in the current folder unless --database says otherwise),
            starts loopback sandbox buyers, creates a market through the operator API (idempotent: a second run on
            the same database updates it), then sends leads at --rate per second with a progress line, until Ctrl-C,
            which prints a summary. The admin token is \(Demo.defaultAdminToken) unless --admin-token or
            GAVEL_ADMIN_TOKEN says otherwise. Buyer URLs on loopback are allowed.
            """)

    /// The admin token of the demo when none is given: fixed and documented, so the printed
    /// curl examples work. Never use it for real data.
    static let defaultAdminToken = "gavel-demo-admin-token"

    @OptionGroup var server: ServerOptions

    @Option(help: "Leads per second to send (default 20).")
    var rate: Double = 20

    @Option(help: "Seed of the lead stream (default: from the clock, so each run sends new consumers).")
    var seed: UInt64?

    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).")
    var duration: Double?

    func validate() throws {
        guard rate > 0, rate <= 10_000 else { throw ValidationError("--rate must be between 0 and 10000 leads per second") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        var configuration = try server.resolved()
        configuration.allowPrivateBuyerURLs = true
        let adminKey = configuration.adminToken ?? Self.defaultAdminToken
        configuration.adminToken = adminKey
        let logger = Runtime.logger()
        let sandbox = SandboxBuyers(configuration: SandboxBuyers.Configuration(hangLimit: .seconds(2)))
        let address = OneShot<String>()
        let settings = DemoDriver.Settings(
            rate: rate, seed: seed ?? Self.clockSeed(), duration: duration.map { .milliseconds(Int64($0 * 1_000)) },
            adminKey: adminKey, adminKeyIsDemoDefault: adminKey == Self.defaultAdminToken,
            database: StoreOpening.displayed(configuration.database))
        let driver = DemoDriver(settings: settings, market: .standard(), sandbox: sandbox, address: address)
        let options = ExchangeOptions(
            announce: Runtime.say, extraServices: [sandbox],
            clients: [.init(service: driver, successTerminationBehavior: .gracefullyShutdownGroup)],
            onListening: { host, port in address.set("http://\(Self.clientHost(host)):\(port)") })
        try await buildApplication(configuration, logger: logger, options: options).run()
    }

    /// A seed from the wall clock, so two runs send different consumers.
    static func clockSeed() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1_000))
    }

    /// The address a client on this machine uses for a bound host.
    static func clientHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}

/// The demo's printed texts.
enum DemoText {
    static func banner(
        base: String, settings: DemoDriver.Settings, market: SimMarket, sandbox: String, keys: [String: String], mapped: String
    ) -> [String] {
        let seller = market.sellers[0].id
        let key = keys[seller] ?? "<seller key>"
        let admin = settings.adminKey
        let remote = market.campaigns.filter { $0.mode == .remote }.count
        let hosted = market.campaigns.filter { $0.mode == .hosted }.count
        let direct = market.campaigns.filter { $0.mode == .direct }.count
        let example =
            #"{"vertical":"auto_insurance","source":"curl","fields":{"zip":"94105","state":"CA","first_name":"Ada","last_name":"Lovelace","phone":"4155550123","homeowner":true,"credit_rating":"excellent","age":41}}"#
        return [
            "",
            "Gavel demo is running.",
            "  Dashboard    \(base)/login   (sign in with the admin token or the seller key below)",
            "  Exchange     \(base)   (OpenAPI at \(base)/openapi.json, metrics at \(base)/metrics)",
            "  Admin token  \(admin)"
                + (settings.adminKeyIsDemoDefault ? "   (the fixed demo token; choose your own with --admin-token)" : ""),
            "  Seller key   \(key)   (seller '\(seller)')",
            "  Market       \(market.sellers.count) sellers, \(market.campaigns.count) campaigns of \(market.buyers.count) buyers "
                + "(\(remote) remote sandbox buyers at \(sandbox), \(hosted) hosted, \(direct) direct) in \(market.verticalIDs.joined(separator: ", "))",
            "               and one buyer with its own form-encoded API, connected by a mapped integration: \(base)/campaigns/\(mapped)",
            "  Leads        \(BenchFormat.fixed(settings.rate, 1))/s, seed \(settings.seed)",
            "",
            "Try:",
            "  curl -s '\(base)/v1/reports?group_by=campaign' -H 'Authorization: Bearer \(admin)'",
            "  curl -s \(base)/v1/campaigns -H 'Authorization: Bearer \(admin)'",
            "  curl -s -X POST \(base)/v1/leads -H 'Authorization: Bearer \(key)' -H 'Content-Type: application/json' -d '\(example)'",
            "  curl -s \(base)/v1/leads/<lead_id> -H 'Authorization: Bearer \(key)'",
            "  curl -s '\(base)/v1/sellers/\(seller)/spec?vertical=auto_insurance' -H 'Authorization: Bearer \(key)' -H 'Accept: text/markdown'"
                + "   (the seller's posting guide)",
            "  curl -s -X POST \(base)/v1/campaigns/\(mapped)/test -H 'Authorization: Bearer \(admin)' -d '{}'   (the test console)",
            "Press Ctrl-C to stop; a summary follows.",
            "",
        ]
    }

    /// Revenue by seller over the database's last 30 days, from the reports API.
    static func sellerReport(_ api: APIClient, adminKey: String, database: String) async -> [String] {
        guard let rows = try? await api.require(.GET, "/v1/reports?group_by=seller", key: adminKey).arrayValue, !rows.isEmpty else {
            return []
        }
        var table = [["seller", "leads", "sold", "sold %", "payout", "avg price", "per lead"]]
        for row in rows {
            let money = { (name: String) in row[name]?.numberValue.flatMap(Money.init).map { "$\($0)" } ?? "-" }
            let share = (row["sold_rate"]?.numberValue?.doubleValue ?? 0) * 100
            table.append([
                row["key"]?.stringValue ?? "?", row["leads"]?.numberValue?.description ?? "0", row["sold"]?.numberValue?.description ?? "0",
                BenchFormat.fixed(share, 1), money("payout"), money("avg_price"), money("epl"),
            ])
        }
        return ["", "By seller, all leads in the database (GET /v1/reports?group_by=seller):"]
            + BenchFormat.table(table).split(separator: "\n").map { "  " + $0 }
            + ["", "The data stays in \(database): run `gavel demo` again to add to it, or `gavel serve` to browse it."]
    }
}
