import GavelCore
import ServiceLifecycle

/// The sandbox's shared state behind one lock: the buyers, what they received, and whether
/// the server is up. Every method is short and never awaits while holding the lock.
final class SandboxRegistry: Sendable {
    /// Where the server is in its life.
    private enum Phase: Sendable {
        case idle
        case running(port: Int)
        case stopped
    }

    private struct State: Sendable {
        var buyers: [String: SandboxBuyerState] = [:]
        var records: [SandboxBuyer.Received] = []
        var phase = Phase.idle
        var waiters: [CheckedContinuation<Int, any Error>] = []
        var serviceGroup: ServiceGroup?
        var stopping = false
        var holds: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextHold = 0
    }

    private let state = Locked(State())

    // MARK: Buyers

    func set(_ name: String, _ behavior: SandboxBuyer.Behavior) {
        state.withLock { state in
            if state.buyers[name] == nil { state.buyers[name] = SandboxBuyerState(behavior) } else { state.buyers[name]!.replace(behavior) }
        }
    }

    func remove(_ name: String) {
        _ = state.withLock { $0.buyers.removeValue(forKey: name) }
    }

    func behavior(_ name: String) -> SandboxBuyer.Behavior? {
        state.withLock { $0.buyers[name]?.behavior }
    }

    func update(_ name: String, _ change: (inout SandboxBuyer.Behavior) -> Void) -> Bool {
        state.withLock { state in
            guard var behavior = state.buyers[name]?.behavior else { return false }
            change(&behavior)
            state.buyers[name]!.replace(behavior)
            return true
        }
    }

    var names: [String] {
        state.withLock { $0.buyers.keys.sorted() }
    }

    /// Records a call and decides its reply in one step; `nil` when there is no such buyer.
    func receive(_ call: SandboxCall, verify: (_ secret: String) -> Bool) -> SandboxReply? {
        state.withLock { registry in
            guard var state = registry.buyers[call.buyer] else { return nil }
            let verified = verify(state.behavior.secret)
            registry.records.append(call.record(verified: verified))
            let reply =
                call.kind == .ping
                ? state.pingReply(name: call.buyer, json: call.json, verified: verified)
                : state.postReply(name: call.buyer, json: call.json, verified: verified)
            registry.buyers[call.buyer] = state
            return reply
        }
    }

    // MARK: Records

    var received: [SandboxBuyer.Received] {
        state.withLock { $0.records }
    }

    func received(by name: String, _ kind: SandboxBuyer.Received.Kind) -> [SandboxBuyer.Received] {
        state.withLock { state in state.records.filter { $0.buyer == name && $0.kind == kind } }
    }

    func clearReceived() {
        state.withLock { $0.records.removeAll() }
    }

    // MARK: Server phase

    var port: Int? {
        state.withLock { state in
            if case .running(let port) = state.phase { return port }
            return nil
        }
    }

    func starting(_ group: ServiceGroup) {
        state.withLock { state in
            state.phase = .idle
            state.serviceGroup = group
            state.stopping = false
        }
    }

    func started(port: Int) {
        let ready = state.withLock { state in
            state.phase = .running(port: port)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in ready { waiter.resume(returning: port) }
    }

    func stopped() {
        let pending = state.withLock { state in
            state.phase = .stopped
            state.serviceGroup = nil
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in pending { waiter.resume(throwing: SandboxBuyers.Failure.stopped) }
    }

    func waitForPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Int, any Error>? = state.withLock { state in
                switch state.phase {
                case .running(let port): return .success(port)
                case .stopped: return .failure(SandboxBuyers.Failure.stopped)
                case .idle:
                    state.waiters.append(continuation)
                    return nil
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}

extension SandboxRegistry {
    /// Starts stopping: ends every held request at once (and any held from now on) and returns
    /// the running server's service group, for a graceful shutdown.
    func beginStopping() -> ServiceGroup? {
        let (released, group) = state.withLock { state in
            state.stopping = true
            defer { state.holds.removeAll() }
            return (Array(state.holds.values), state.serviceGroup)
        }
        for hold in released { hold.resume() }
        return group
    }

    /// Waits for `limit`, or until the sandbox stops, or until the task is cancelled, whichever
    /// comes first: how buyers sleep, so that stopping never waits for a slow or hanging buyer.
    func hold(upTo limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: limit) }
            group.addTask { await self.untilStopping() }
            await group.next()
            group.cancelAll()
        }
    }

    private func untilStopping() async {
        let id = state.withLock { state in
            state.nextHold += 1
            return state.nextHold
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    if state.stopping || Task.isCancelled { return true }
                    state.holds[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.holds.removeValue(forKey: id) }?.resume()
        }
    }
}

/// One request to a sandbox buyer as it arrived.
struct SandboxCall: Sendable {
    var buyer: String
    var kind: SandboxBuyer.Received.Kind
    var headers: [String: String]
    var body: [UInt8]
    var json: JSONValue?
    var arrival: ContinuousClock.Instant

    func record(verified: Bool) -> SandboxBuyer.Received {
        SandboxBuyer.Received(
            buyer: buyer, kind: kind, headers: headers, body: body, json: json, signatureVerified: verified, arrival: arrival)
    }
}
