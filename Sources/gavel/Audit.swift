import ArgumentParser
import Foundation
import GavelCore
import GavelServer

/// `gavel audit`: checks the ledger's books and exits non-zero when they do not balance.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the ledger balances and every sold lead has exactly its entries.")

    @Option(help: "sqlite:<path> or postgres://… (env GAVEL_DATABASE; default sqlite:gavel.sqlite).")
    var database: String?

    func run() async throws {
        let url = database ?? ProcessInfo.processInfo.environment["GAVEL_DATABASE"] ?? "sqlite:gavel.sqlite"
        let report = try await StoreOpening.withStore(url, logger: Runtime.logger()) { opened in try await opened.store.audit() }
        Runtime.say("Ledger: \(report.entries) entries, total \(report.total) (must be 0.00).")
        for problem in report.problems.prefix(50) { Runtime.say("  problem: \(problem)") }
        if report.problems.count > 50 { Runtime.say("  … and \(report.problems.count - 50) more") }
        guard report.isClean else {
            Runtime.say("AUDIT FAILED: \(report.problems.count) problem(s).")
            throw ExitCode(2)
        }
        Runtime.say("Audit passed: the books balance.")
    }
}
