import Foundation
import GRDB
import GavelCore
import Testing

/// `gavel bench --fill` and `gavel audit` as an operator runs them: a database filled with a
/// month of history reports and audits clean; one changed ledger row makes the audit fail.
@Suite("gavel bench --fill and gavel audit, as real processes", .serialized)
struct FillAndAuditTests {
    @Test func aFilledDatabaseReportsAndAuditsCleanUntilALedgerRowIsChanged() async throws {
        let filling = try GavelProcess(["bench", "--fill", "3000", "--database", "sqlite:fill.sqlite"])
        #expect(await filling.waitForExit() == 0, "\(filling.printed)\n\(filling.log)")
        let printed = filling.printed.joined(separator: "\n")
        #expect(printed.contains("filled sqlite:fill.sqlite with 3000 leads"))
        let bySource = try #require(filling.printed.first { $0.hasPrefix("by source") }, "\(printed)")
        #expect(bySource.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first == "9", "\(bySource)")
        #expect(printed.contains("clean"))

        let path = filling.folder.appendingPathComponent("fill.sqlite").path
        #expect(try await audit(path, in: filling.folder) == 0)

        let again = try GavelProcess(["bench", "--fill", "10", "--database", "sqlite:fill.sqlite"], folder: filling.folder)
        #expect(await again.waitForExit() != 0)
        #expect(again.log.contains("already holds fixture leads"), "\(again.log)")

        let database = try DatabaseQueue(path: path)
        try await database.write { db in
            try db.execute(sql: "UPDATE ledger SET amount_cents = amount_cents + 1 WHERE id = (SELECT min(id) FROM ledger)")
        }
        try database.close()
        #expect(try await audit(path, in: filling.folder) == 2)
    }

    /// The chain as an operator uses it: `gavel audit --head` exports the head, `--expect-head`
    /// checks it (and refuses one the chain does not hold); a sale's price edited together with
    /// its ledger entries keeps the books balanced, yet fails the audit naming that sale; an
    /// edited and a deleted link are named by position.
    @Test func theChainCatchesABalancedEditAndChecksAnAnchoredHead() async throws {
        let filling = try GavelProcess(["bench", "--fill", "300", "--database", "sqlite:chain.sqlite"])
        #expect(await filling.waitForExit() == 0, "\(filling.printed)\n\(filling.log)")
        let folder = filling.folder
        let path = folder.appendingPathComponent("chain.sqlite").path

        let head = try await run(["audit", "--head", "--database", "sqlite:\(path)"], in: folder)
        #expect(head.status == 0)
        let json = try JSONParser.parse(Array(head.printed.joined().utf8), limits: .trusted)
        let (pos, hash) = (try #require(json["pos"]?.numberValue?.integerValue), try #require(json["hash"]?.stringValue))
        #expect(pos > 300 && hash.count == 64 && json["at"]?.stringValue != nil, "\(json)")
        let anchored = try await run(["audit", "--expect-head", "\(pos):\(hash)", "--database", "sqlite:\(path)"], in: folder)
        #expect(anchored.status == 0 && anchored.printed.contains { $0.contains("Anchored head \(pos):\(hash) still holds") })
        let other = String(hash.reversed())
        let rewritten = try await run(["audit", "--expect-head", "\(pos):\(other)", "--database", "sqlite:\(path)"], in: folder)
        #expect(rewritten.status == 2 && rewritten.printed.contains { $0.contains("no longer has the anchored hash \(other)") })
        let beyond = try await run(["audit", "--expect-head", "\(pos + 5):\(hash)", "--database", "sqlite:\(path)"], in: folder)
        #expect(beyond.status == 2 && beyond.printed.contains { $0.contains("it was cut short") })

        let database = try DatabaseQueue(path: path)
        let lead = try await database.write { db in
            let lead = try String.fetchOne(
                db, sql: "SELECT s.lead_id FROM sales s JOIN leads l ON l.id = s.lead_id WHERE l.test = 0 ORDER BY s.lead_id LIMIT 1")!
            try db.execute(sql: Self.balancedEdit, arguments: [lead, lead, lead, lead, lead])
            return lead
        }
        let edited = try await run(["audit", "--database", "sqlite:\(path)"], in: folder)
        #expect(edited.status == 2)
        #expect(!edited.printed.contains { $0.hasPrefix("  problem:") }, "the books still balance: \(edited.printed)")
        let first = edited.printed.first { $0.hasPrefix("  chain problem:") }
        #expect(first?.hasPrefix("  chain problem: sale \(lead)#0 was changed after it was sealed") == true, "\(edited.printed)")

        try await database.write { db in
            try db.execute(sql: "UPDATE chain SET hash = upper(hash) WHERE pos = 7; DELETE FROM chain WHERE pos = 9")
        }
        try database.close()
        let broken = try await run(["audit", "--database", "sqlite:\(path)"], in: folder)
        #expect(broken.status == 2)
        let lines = broken.printed.filter { $0.hasPrefix("  chain problem:") }
        #expect(lines.contains { $0.hasPrefix("  chain problem: chain position 7 (") && $0.hasSuffix("the chain was edited there") })
        #expect(lines.contains("  chain problem: chain position 9 is missing: the chain goes from 8 to 10 (links were deleted)"))
    }

    /// A sale's price up by a dollar with its buyer and margin entries: the books still balance.
    static let balancedEdit = """
        UPDATE sales SET price_cents = price_cents + 100, margin_cents = margin_cents + 100 WHERE lead_id = ? AND seq = 0;
        UPDATE ledger SET amount_cents = amount_cents + 100 WHERE lead_id = ? AND kind = 'sale' AND account LIKE 'buyer:%'
            AND campaign_id = (SELECT campaign_id FROM sales WHERE lead_id = ? AND seq = 0);
        UPDATE ledger SET amount_cents = amount_cents - 100 WHERE lead_id = ? AND kind = 'sale' AND account = 'exchange:margin'
            AND campaign_id = (SELECT campaign_id FROM sales WHERE lead_id = ? AND seq = 0);
        """

    /// Runs a `gavel` command to its end.
    private func run(_ arguments: [String], in folder: URL) async throws -> (status: Int32, printed: [String]) {
        let process = try GavelProcess(arguments, folder: folder)
        let status = await process.waitForExit()
        return (status, process.printed)
    }

    /// Runs `gavel audit` and returns its exit status; a failed audit names its problem.
    private func audit(_ path: String, in folder: URL) async throws -> Int32 {
        let audit = try GavelProcess(["audit", "--database", "sqlite:\(path)"], folder: folder)
        let status = await audit.waitForExit()
        let printed = audit.printed.joined(separator: "\n")
        if status == 0 {
            #expect(printed.contains("Audit passed"), "\(printed)")
        } else {
            #expect(printed.contains("AUDIT FAILED") && printed.contains("problem:"), "\(printed)\n\(audit.log)")
        }
        return status
    }
}
