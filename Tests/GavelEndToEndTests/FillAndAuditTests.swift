import Foundation
import GRDB
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
