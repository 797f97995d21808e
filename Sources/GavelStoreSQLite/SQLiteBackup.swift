import Foundation
import GRDB
import GavelCore

/// An online backup of an SQLite database: a consistent copy taken while a server keeps
/// writing to it, from this or another process.
///
/// It uses SQLite's online backup API in one step (all pages under one read transaction): in
/// WAL mode a reader never blocks the writer, and sees one committed state, so the copy is
/// the database as of one moment, with every transaction committed before it and none after.
/// The copy is written beside the destination, checked (`PRAGMA integrity_check`), synced and
/// only then renamed into place, so a destination that exists is always a whole backup.
public enum SQLiteBackup {
    /// What a backup wrote.
    public struct Summary: Sendable, Hashable {
        /// The copy's path.
        public var path: String
        /// Its size in bytes.
        public var bytes: Int
        /// The leads it holds.
        public var leads: Int
    }

    /// Why a backup was not made.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// Copies the database at `source` to `destination` (which must not exist yet).
    public static func copy(from source: String, to destination: String) throws -> Summary {
        try checkPaths(source: source, destination: destination)
        let partial = destination + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let leads = try copyAndCheck(from: source, to: partial)
            try sync(partial)
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
            let bytes = (try FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
            return Summary(path: destination, bytes: bytes, leads: leads)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            if let failure = error as? Failure { throw failure }
            throw Failure(description: SQLiteStore.describe(error))
        }
    }

    private static func checkPaths(source: String, destination: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { throw Failure(description: "no database at \(source)") }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw Failure(description: "\(destination) exists already; choose a new name (a backup never overwrites)")
        }
    }

    /// Copies every page, then checks the copy and counts its leads.
    private static func copyAndCheck(from source: String, to partial: String) throws -> Int {
        var sourceConfiguration = Configuration()
        sourceConfiguration.busyMode = .timeout(10)
        sourceConfiguration.label = "gavel-backup-source"
        let from = try DatabaseQueue(path: source, configuration: sourceConfiguration)
        let to = try DatabaseQueue(path: partial)
        try from.backup(to: to)
        let (check, leads) = try to.read { db in
            (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM leads") ?? 0)
        }
        try to.close()
        try from.close()
        guard check == ["ok"] else { throw Failure(description: "the copy failed its integrity check: \(check.prefix(5))") }
        return leads
    }

    /// Flushes a file to disk.
    private static func sync(_ path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.synchronize()
    }
}
