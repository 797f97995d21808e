import AsyncHTTPClient
import Foundation
import GavelCore
import Testing

/// `gavel backup DEST` while the server sells, and the restore docs/OPERATIONS.md describes:
/// stop, put the copy in place, start, audit.
@Suite("gavel backup of a live SQLite database, and its restore", .serialized, .timeLimit(.minutes(3)))
struct BackupTests {
    @Test func aBackupTakenUnderLoadRestoresToAServerWithEveryEarlierLead() async throws {
        let server = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm"])
        defer { if server.process.isRunning { server.process.terminate() } }
        let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
        let key = try await CrashTests.configure(client, admin: "adm")
        let backups = try temporaryFolder("gavel-backups-")
        defer { try? FileManager.default.removeItem(at: backups) }
        let copy = backups.appendingPathComponent("gavel-backup.sqlite").path

        let (tally, stop) = (SellerTally(), Locked(false))
        async let load: Void = sellUntil(
            { stop.withLock { $0 } }, client: client, key: key, workers: 4, first: 0, tally: tally, lead: CrashTests.lead)
        while tally.acknowledged.count < 30 { try await Task.sleep(for: .milliseconds(20)) }
        let beforeBackup = tally.acknowledged
        let backup = try GavelProcess(["backup", copy, "--database", "sqlite:gavel.sqlite"], folder: server.folder)
        let backupStatus = await backup.waitForExit()
        try await Task.sleep(for: .milliseconds(300))
        stop.withLock { $0 = true }
        await load
        #expect(backupStatus == 0, "\(backup.printed) \(backup.log)")
        #expect(backup.printed.contains { $0.contains("Backed up") && $0.contains("integrity ok") }, "\(backup.printed)")
        #expect(tally.refused.isEmpty, "the backup disturbed the sellers: \(tally.refused.map(\.body))")

        let again = try GavelProcess(["backup", copy, "--database", "sqlite:gavel.sqlite"], folder: server.folder)
        #expect(await again.waitForExit() != 0, "a backup overwrote an earlier one")
        #expect(await server.terminate() == 0)

        let restored = try temporaryFolder("gavel-restored-")
        defer { try? FileManager.default.removeItem(at: restored) }
        try FileManager.default.copyItem(atPath: copy, toPath: restored.appendingPathComponent("gavel.sqlite").path)
        let audit = try await auditDatabase("sqlite:" + restored.appendingPathComponent("gavel.sqlite").path)
        #expect(audit.status == 0, "\(audit.printed)")
        let second = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm"], folder: restored)
        defer { if second.process.isRunning { second.process.terminate() } }
        let restoredClient = Client(http: HTTPClient.shared, baseURL: try await second.waitUntilListening())
        for (id, status) in beforeBackup {
            let stored = try await restoredClient.call(.GET, "/v1/leads/\(id)", key: key)
            #expect(stored.status == 200 && stored.body["status"]?.stringValue == status, "lead \(id) missing from the restored copy")
        }
        let sold = await restoredClient.sell(CrashTests.lead(90_000), key: key)
        #expect(sold.status == 200 && sold.body["status"] == "sold", "the restored server does not sell: \(sold.body)")
        #expect(await second.terminate() == 0)
    }
}
