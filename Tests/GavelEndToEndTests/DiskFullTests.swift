import AsyncHTTPClient
import Foundation
import GRDB
import GavelCore
import Testing

/// A small tmpfs the tests mount for a database whose disk they fill.
enum Tmpfs {
    /// Whether this process may mount a tmpfs (root on Linux, with the right to mount): tries
    /// with a tiny one.
    static func mountable() async -> Bool {
        guard let folder = try? temporaryFolder("gavel-mount-probe-") else { return false }
        let mounted = (try? await runCommand(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path]))?.status == 0
        if mounted { _ = try? await runCommand(["umount", folder.path]) }
        try? FileManager.default.removeItem(at: folder)
        return mounted
    }

    /// Runs `body` with a tmpfs of `megabytes` mounted on a new folder, then unmounts it.
    static func withMount<T>(megabytes: Int, _ body: (URL) async throws -> T) async throws -> T {
        let folder = try temporaryFolder("gavel-full-")
        let mounted = try await runCommand(["mount", "-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", folder.path])
        guard mounted.status == 0 else { throw CommandFailure(description: "mount: \(mounted.output)") }
        do {
            let result = try await body(folder)
            await unmount(folder)
            return result
        } catch {
            await unmount(folder)
            throw error
        }
    }

    /// Unmounts and removes the folder.
    private static func unmount(_ folder: URL) async {
        _ = try? await runCommand(["umount", folder.path])
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes zeros into `folder/filler` until the file system has no space left.
    static func fill(_ folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("filler")
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CommandFailure(description: "cannot create \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        for size in [1 << 16, 4_096, 512, 1] {
            let chunk = Data(count: size)
            while (try? handle.write(contentsOf: chunk)) != nil {}
        }
        return url
    }

    struct CommandFailure: Error, CustomStringConvertible {
        var description: String
    }
}

/// The SQLite disk filling up under a running server: leads get 503 with `Retry-After` (never
/// a 200 for a lead that was not stored, never a 500), `/readyz` says not ready; once space
/// returns the same process sells again, and the database passes `PRAGMA integrity_check` and
/// `gavel audit` with every acknowledged lead in it.
@Suite(
    "A full disk under the SQLite database, against the real process", .serialized,
    .enabled("mounting a tmpfs is not permitted here (it needs root on Linux); the disk-full test is skipped") {
        await Tmpfs.mountable()
    },
    .timeLimit(.minutes(3)))
struct DiskFullTests {
    @Test func aFullDiskAnswers503AndTheServerRecoversWhenSpaceReturns() async throws {
        try await Tmpfs.withMount(megabytes: 64) { disk in try await sellThroughAFullDisk(disk) }
    }

    /// With a server on a database in `disk`: sells, fills the disk, frees it, checks.
    func sellThroughAFullDisk(_ disk: URL) async throws {
        let database = "sqlite:" + disk.appendingPathComponent("gavel.sqlite").path
        let server = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm", "--database", database])
        defer { if server.process.isRunning { server.process.terminate() } }
        let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
        let key = try await CrashTests.configure(client, admin: "adm")
        let (tally, stop) = (SellerTally(), Locked(false))
        async let load: Void = sellUntil(
            { stop.withLock { $0 } }, client: client, key: key, workers: 4, first: 0, tally: tally, lead: CrashTests.lead)
        let outage = try await Self.fillAndFree(disk, client: client, tally: tally)
        stop.withLock { $0 = true }
        await load

        #expect(outage.refusedWhileFull >= 3, "a full disk refused no lead")
        let wrong = tally.refused.filter { !$0.isStoreUnavailable }
        #expect(wrong.isEmpty, "answers other than 200 and 503 store-unavailable: \(wrong.prefix(5).map { "\($0.status) \($0.body)" })")
        #expect(outage.notReady, "/readyz said ready on a full disk")
        let sold = try #require(outage.soldAgain, "no lead sold after space returned")
        #expect(sold < .seconds(20), "the server sold again only \(sold) after space returned")

        #expect(await server.terminate() == 0, "\(server.log)")
        try Self.checkDatabase(disk.appendingPathComponent("gavel.sqlite").path, acknowledged: tally.acknowledged)
        let audit = try await auditDatabase(database)
        #expect(audit.status == 0, "\(audit.printed)")
    }

    /// What happened while the disk was full and after.
    struct Outage {
        var refusedWhileFull: Int
        var notReady: Bool
        var soldAgain: Duration?
    }

    /// With sellers selling, fills the disk until at least three leads were refused (or ten
    /// seconds passed), checks `/readyz`, frees the space and waits for a sale.
    static func fillAndFree(_ disk: URL, client: Client, tally: SellerTally) async throws -> Outage {
        while tally.acknowledged.count < 20 { try await Task.sleep(for: .milliseconds(10)) }
        let refusedBefore = tally.refused.count
        let filler = try Tmpfs.fill(disk)
        let filled = ContinuousClock.now
        while tally.refused.count - refusedBefore < 3, ContinuousClock.now - filled < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let notReady = await client.readiness() == 503
        let refused = tally.refused.count - refusedBefore
        try FileManager.default.removeItem(at: filler)
        let freed = ContinuousClock.now
        while tally.firstSale(after: freed) == nil, ContinuousClock.now - freed < .seconds(30) {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(500))
        return Outage(refusedWhileFull: refused, notReady: notReady, soldAgain: tally.firstSale(after: freed).map { $0 - freed })
    }

    /// The file is intact, every acknowledged lead is in it with its acknowledged status, and no
    /// lead was left pending (the leads the full disk interrupted were reconciled).
    static func checkDatabase(_ path: String, acknowledged: [String: String]) throws {
        let database = try DatabaseQueue(path: path)
        defer { try? database.close() }
        let (check, statuses, pending) = try database.read { db in
            (
                try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, status FROM leads").map {
                        ($0[0] as String, $0[1] as String)
                    }),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM leads WHERE status = 'pending'") ?? -1
            )
        }
        #expect(check == ["ok"])
        #expect(pending == 0, "leads left pending")
        let (usage, sales) = try database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT SUM(leads) FROM usage WHERE subject = 'campaign:hosted' AND period LIKE 'd:%'"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sales WHERE campaign_id = 'hosted' AND counted")
            )
        }
        #expect(usage == sales, "the persisted cap usage (\(usage ?? -1)) is not the sales (\(sales ?? -1))")
        #expect(
            try database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT lead_id FROM sales GROUP BY lead_id HAVING COUNT(*) > 1)")
            } == 0)
        for (id, status) in acknowledged {
            #expect(statuses[id] == status, "lead \(id) was acknowledged \(status), stored \(statuses[id] ?? "nowhere")")
        }
    }
}
