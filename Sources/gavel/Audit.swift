import ArgumentParser
import Foundation
import GavelCore
import GavelServer

/// `gavel audit`: checks the ledger's books and the hash chain that seals them, and exits
/// non-zero when they do not balance or the chain is broken; `--head` prints the chain head to
/// anchor elsewhere, `--expect-head POS:HASH` checks an anchored head.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the ledger balances, every sold lead has exactly its entries, and the books' hash chain is intact.")

    @Option(help: "sqlite:<path> or postgres://… (env GAVEL_DATABASE; default sqlite:gavel.sqlite).")
    var database: String?

    @Flag(help: "Print the chain head as JSON {\"pos\", \"hash\", \"at\"} (to anchor it elsewhere) and exit.")
    var head = false

    @Option(help: "A head anchored earlier, POS:HASH: the chain must still hold that hash at that position.")
    var expectHead: String?

    func validate() throws {
        if let expectHead, ChainAnchor(expectHead) == nil {
            throw ValidationError("--expect-head takes POS:HASH (a position and 64 hex digits), as --head prints them")
        }
    }

    func run() async throws {
        let url = database ?? ProcessInfo.processInfo.environment["GAVEL_DATABASE"] ?? "sqlite:gavel.sqlite"
        let (printHead, anchor) = (self.head, expectHead.flatMap(ChainAnchor.init))
        let outcome = try await StoreOpening.withStore(url, logger: Runtime.logger()) { opened -> AuditOutcome? in
            let store = opened.store
            if printHead {
                Runtime.say(JSONWriter.string(try await store.chainHead().json))
                return nil
            }
            let report = try await store.audit()
            guard let anchor else { return AuditOutcome(report: report, anchor: nil) }
            return AuditOutcome(report: report, anchor: (anchor, anchor.problem(try await store.chainLink(at: anchor.pos))))
        }
        guard let outcome else { return }
        outcome.print()
        guard outcome.passed else { throw ExitCode(2) }
    }
}

/// What `gavel audit` found, and how it says so.
struct AuditOutcome: Sendable {
    /// The store's report.
    var report: AuditReport
    /// The anchored head checked, and what is wrong with it.
    var anchor: (ChainAnchor, String?)?

    /// The most lines of each kind printed.
    static let shown = 50

    /// Whether the books balance, the chain is intact and the anchor (if any) holds.
    var passed: Bool { report.isClean && anchor?.1 == nil }

    /// Prints the summary, the problems (the chain's first broken record first) and the verdict.
    func print() {
        let chain = report.chain
        Runtime.say("Ledger: \(report.entries) entries, total \(report.total) (must be 0.00).")
        Runtime.say(
            "Chain: \(chain.length) records sealed, head \(chain.head?.description ?? ChainHead.empty.description), "
                + "\(chain.unsealed) not sealed.")
        lines("problem", report.problems)
        lines("chain problem", chain.problems)
        lines("warning", chain.warnings)
        if case let (anchor, problem)? = anchor {
            Runtime.say(problem.map { "  chain problem: \($0)" } ?? "Anchored head \(anchor.pos):\(anchor.hash) still holds.")
        }
        guard passed else {
            let chainProblems = chain.problems.count + (anchor?.1 == nil ? 0 : 1)
            return Runtime.say("AUDIT FAILED: \(report.problems.count) problem(s) in the books, \(chainProblems) in the chain.")
        }
        Runtime.say("Audit passed: the books balance and the chain is intact.")
    }

    private func lines(_ kind: String, _ lines: [String]) {
        for line in lines.prefix(Self.shown) { Runtime.say("  \(kind): \(line)") }
        if lines.count > Self.shown { Runtime.say("  … and \(lines.count - Self.shown) more") }
    }
}
