import Foundation
import GavelCore
import GavelTesting
import Testing

@testable import GavelStorePostgres
@testable import GavelStoreSQLite
@testable import GavelStoreSupport

/// The live PostgreSQL the PostgreSQL tests run against: `GAVEL_TEST_POSTGRES_URL` (e.g. from
/// `eval "$(scripts/postgres-test-cluster.sh start)"`); without it those tests do not run.
enum PostgresTestServer {
    /// The server's URL, if the tests are enabled.
    static let url = ProcessInfo.processInfo.environment["GAVEL_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Whether the PostgreSQL tests run.
    static var isEnabled: Bool { url != nil }

    /// A store configuration for tests: a small pool and a fast heartbeat.
    static let configuration = PostgresStore.Configuration(
        maxConnections: 8, heartbeat: .milliseconds(250), nodeTimeout: .seconds(5), listenRetry: .milliseconds(100))
}

/// Runs PostgreSQL stores ("nodes") on one fresh database per test.
///
/// Every store runs in a child task of ``with(_:)``'s scope. ``open()`` first stops the stores
/// opened before — gracefully, as a restarted node would — so the conformance suite's "open
/// again" checks what persists; ``node()`` opens another store next to the running ones.
final class PostgresHarness: StoreHarness {
    /// The fresh database's URL.
    let url: String
    private let requests: AsyncStream<PostgresStoreRequest>.Continuation
    private let running = Locked<[PostgresStoreRequest]>([])

    private init(url: String, requests: AsyncStream<PostgresStoreRequest>.Continuation) {
        self.url = url
        self.requests = requests
    }

    /// Runs `body` with a harness on a fresh database, then stops every store and drops the
    /// database.
    static func with(_ body: (PostgresHarness) async throws -> Void) async throws {
        let server = try #require(PostgresTestServer.url)
        try await PostgresTemporaryDatabase.with(serverURL: server) { url in
            let (stream, continuation) = AsyncStream<PostgresStoreRequest>.makeStream()
            let harness = PostgresHarness(url: url, requests: continuation)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await Self.serve(stream, url: url) }
                defer { continuation.finish() }
                do {
                    try await body(harness)
                    await harness.stopAll()
                } catch {
                    await harness.stopAll()
                    throw error
                }
            }
        }
    }

    /// Opens a store after stopping the ones opened before (a restart).
    func open() async throws -> any Storage {
        await stopAll()
        return try await node()
    }

    /// Opens another store (node) on the same database, leaving the others running.
    func node() async throws -> PostgresStore {
        let request = PostgresStoreRequest()
        running.withLock { $0.append(request) }
        requests.yield(request)
        return try await request.store()
    }

    /// Stops every running store gracefully and waits until they have stopped.
    func stopAll() async {
        let stopping = running.withLock { running in
            defer { running = [] }
            return running
        }
        for request in stopping { await request.stop() }
    }

    func ledgerEntries(_ store: any Storage, leadID: String) async throws -> [LedgerEntry] {
        try await postgres(store).ledgerEntries(leadID: leadID)
    }

    func tamper(_ store: any Storage, leadID: String) async throws {
        let quoted = leadID.replacingOccurrences(of: "'", with: "''")
        try await postgres(store).executeForTesting(
            sql: "UPDATE ledger SET amount_cents = amount_cents + 1 WHERE id = (SELECT min(id) FROM ledger WHERE lead_id = '\(quoted)')")
    }

    func tamperSale(_ store: any Storage, leadID: String, cents: Int64) async throws {
        for sql in TamperSQL.sale(leadID: leadID, cents: cents) { try await postgres(store).executeForTesting(sql: sql) }
    }

    func tamperChain(_ store: any Storage, pos: Int64, _ tampering: ChainTampering) async throws {
        for sql in TamperSQL.chain(pos: pos, tampering) { try await postgres(store).executeForTesting(sql: sql) }
    }

    func deleteLedgerEntry(_ store: any Storage, leadID: String) async throws {
        try await postgres(store).executeForTesting(sql: TamperSQL.deleteLedgerEntry(leadID: leadID))
    }

    func configJournal(_ store: any Storage) async throws -> [String] {
        try await postgres(store).rows("SELECT body FROM config_journal ORDER BY id").map { try $0.decode(String.self) }
    }

    private func postgres(_ store: any Storage) throws -> PostgresStore {
        try #require(store as? PostgresStore)
    }

    /// Runs a store for each request until it is asked to stop.
    private static func serve(_ requests: AsyncStream<PostgresStoreRequest>, url: String) async {
        await withDiscardingTaskGroup { group in
            for await request in requests {
                group.addTask { await request.run(url: url) }
            }
        }
    }
}

/// One store the harness runs: opened in the harness's task group, handed to the test, and
/// stopped on request.
final class PostgresStoreRequest: Sendable {
    private struct State {
        var waiter: CheckedContinuation<PostgresStore, any Error>?
        var result: Result<PostgresStore, any Error>?
    }

    private let state = Locked(State())
    private let stopSignal = AsyncStream<Void>.makeStream()
    private let doneSignal = AsyncStream<Void>.makeStream()

    /// Runs the store until ``stop()``.
    func run(url: String) async {
        do {
            try await PostgresStore.withStore(url: url, configuration: PostgresTestServer.configuration) { store in
                deliver(.success(store))
                for await _ in stopSignal.stream {}
            }
        } catch {
            deliver(.failure(error))
        }
        doneSignal.continuation.finish()
    }

    /// The running store, once it is ready.
    func store() async throws -> PostgresStore {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<PostgresStore, any Error>? in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Stops the store and waits until it has shut down.
    func stop() async {
        stopSignal.continuation.finish()
        for await _ in doneSignal.stream {}
    }

    /// Hands the store (or why it failed) to the test, once.
    private func deliver(_ outcome: Result<PostgresStore, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<PostgresStore, any Error>? in
            guard state.result == nil else { return nil }
            state.result = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: outcome)
    }
}
