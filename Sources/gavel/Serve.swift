import ArgumentParser
import Foundation
import GavelServer
import Logging

/// `gavel serve`: runs the exchange until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the exchange's HTTP server.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let configuration = try options.resolved()
        try await buildApplication(configuration, logger: Runtime.logger(), options: ExchangeOptions(announce: Runtime.say)).run()
    }
}

/// `gavel migrate`: brings the database's schema up to date and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema, then exit.")

    @Option(help: "sqlite:<path> or postgres://… (env GAVEL_DATABASE; default sqlite:gavel.sqlite).")
    var database: String?

    func run() async throws {
        let url = database ?? ProcessInfo.processInfo.environment["GAVEL_DATABASE"] ?? ServerConfiguration().database
        try await StoreOpening.withStore(url, logger: Runtime.logger()) { _ in }
        Runtime.say("Database \(StoreOpening.displayed(url)) is up to date.")
    }
}

/// What the commands share: logging and printing.
enum Runtime {
    /// A logger on standard error, at `LOG_LEVEL` (default info).
    static func logger(label: String = "gavel") -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }

    /// Prints a line to standard output unbuffered, so a supervising process sees it at once.
    @Sendable static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
