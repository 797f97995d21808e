import ArgumentParser
import Foundation
import GavelStoreSQLite
import GavelStoreSupport

/// `gavel backup DEST`: an online, consistent copy of the SQLite database, while the server
/// keeps serving.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite database to DEST while the server keeps running (online, consistent).",
        discussion: """
            The copy is the database as of one moment: every lead acknowledged before the backup started is in it. \
            DEST must not exist. Restore by stopping the server and putting the copy in the database's place \
            (see docs/OPERATIONS.md). For PostgreSQL use pg_dump or pg_basebackup.
            """)

    @Argument(help: "The file to write (must not exist).")
    var destination: String

    @Option(help: "sqlite:<path> (env GAVEL_DATABASE; default sqlite:gavel.sqlite).")
    var database: String?

    func validate() throws {
        guard !destination.isEmpty else { throw ValidationError("DEST must be a file path.") }
    }

    func run() async throws {
        let url = database ?? ProcessInfo.processInfo.environment["GAVEL_DATABASE"] ?? "sqlite:gavel.sqlite"
        guard case .sqlite(let path) = try DatabaseURL(url) else {
            throw ValidationError(
                "gavel backup copies an SQLite database; back up PostgreSQL with pg_dump or pg_basebackup (docs/OPERATIONS.md).")
        }
        let summary = try SQLiteBackup.copy(from: path, to: destination)
        Runtime.say("Backed up \(path) to \(summary.path): \(summary.bytes) bytes, \(summary.leads) leads, integrity ok.")
    }
}
