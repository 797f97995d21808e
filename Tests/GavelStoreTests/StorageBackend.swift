import GavelCore
import GavelTesting
import Testing

/// The storage backends the conformance suite runs on: each check runs once per backend, on a
/// harness of its own (a fresh, empty database).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// ``InMemoryStore`` (``InMemoryHarness``).
    case memory = "in-memory"
    /// The SQLite store (``SQLiteHarness``).
    case sqlite = "SQLite"
    /// The PostgreSQL store (``PostgresHarness``); only when `GAVEL_TEST_POSTGRES_URL` is set.
    case postgres = "PostgreSQL"

    /// The backends this run can use: PostgreSQL only when `GAVEL_TEST_POSTGRES_URL` is set
    /// (without it its cases are left out, as its suite used to be skipped).
    static let available = allCases.filter { $0 != .postgres || PostgresTestServer.isEnabled }

    var testDescription: String { rawValue }

    /// Runs a check on a harness of this backend.
    func run(_ check: (any StoreHarness) async throws -> Void) async throws {
        try await exclusive { try await withHarness(check) }
    }

    /// Runs a check on two harnesses of this backend (two fresh databases).
    func run(_ check: (any StoreHarness, any StoreHarness) async throws -> Void) async throws {
        try await exclusive {
            try await withHarness { one in try await withHarness { other in try await check(one, other) } }
        }
    }

    private func withHarness(_ body: (any StoreHarness) async throws -> Void) async throws {
        switch self {
        case .memory: try await body(InMemoryHarness())
        case .sqlite: try await body(try SQLiteHarness())
        case .postgres: try await PostgresHarness.with { harness in try await body(harness) }
        }
    }

    /// Runs the PostgreSQL cases one at a time (each opens its own connection pools and
    /// database, so the suite used to be serialized); the others run as the test runner likes.
    private func exclusive(_ body: () async throws -> Void) async throws {
        guard self == .postgres else { return try await body() }
        await SerialGate.postgres.enter()
        do {
            try await body()
        } catch {
            await SerialGate.postgres.leave()
            throw error
        }
        await SerialGate.postgres.leave()
    }
}

/// Lets one task at a time through, in arrival order.
actor SerialGate {
    /// The gate of the PostgreSQL conformance cases.
    static let postgres = SerialGate()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Waits until the gate is free, then holds it.
    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Frees the gate, handing it to the next waiting task if any.
    func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
