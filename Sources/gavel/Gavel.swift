import ArgumentParser

/// The `gavel` command line: the exchange's server, demo, benchmark and maintenance tools.
@main
struct Gavel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gavel",
        abstract: "Gavel: an open-source real-time lead auction exchange (ping-post).",
        subcommands: [Serve.self, Demo.self, Bench.self, Migrate.self, Audit.self, Backup.self],
        defaultSubcommand: Serve.self
    )
}
