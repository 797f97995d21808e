import Foundation
import GavelCore
import ServiceLifecycle

/// The sandbox's shared state behind one lock: the buyers, what they received, and whether
/// the server is up. Every method is short and never awaits while holding the lock.
final class SandboxRegistry: @unchecked Sendable {
    /// Where the server is in its life.
    private enum Phase {
        case idle
        case running(port: Int)
        case stopped
    }

    private let lock = NSLock()
    private var buyers: [String: SandboxBuyerState] = [:]
    private var records: [SandboxBuyer.Received] = []
    private var phase = Phase.idle
    private var waiters: [CheckedContinuation<Int, any Error>] = []
    private var serviceGroup: ServiceGroup?
    private var stopping = false
    private var holds: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextHold = 0

    // MARK: Buyers

    func set(_ name: String, _ behavior: SandboxBuyer.Behavior) {
        lock.withLock {
            if buyers[name] == nil { buyers[name] = SandboxBuyerState(behavior) } else { buyers[name]!.replace(behavior) }
        }
    }

    func remove(_ name: String) {
        _ = lock.withLock { buyers.removeValue(forKey: name) }
    }

    func behavior(_ name: String) -> SandboxBuyer.Behavior? {
        lock.withLock { buyers[name]?.behavior }
    }

    func update(_ name: String, _ change: (inout SandboxBuyer.Behavior) -> Void) -> Bool {
        lock.withLock {
            guard var behavior = buyers[name]?.behavior else { return false }
            change(&behavior)
            buyers[name]!.replace(behavior)
            return true
        }
    }

    var names: [String] {
        lock.withLock { buyers.keys.sorted() }
    }

    /// Records a call and decides its reply in one step; `nil` when there is no such buyer.
    func receive(_ call: SandboxCall, verify: (_ secret: String) -> Bool) -> SandboxReply? {
        lock.withLock {
            guard var state = buyers[call.buyer] else { return nil }
            let verified = verify(state.behavior.secret)
            records.append(call.record(verified: verified))
            let reply = call.kind == .ping
                ? state.pingReply(name: call.buyer, json: call.json, verified: verified)
                : state.postReply(name: call.buyer, json: call.json, verified: verified)
            buyers[call.buyer] = state
            return reply
        }
    }

    // MARK: Records

    var received: [SandboxBuyer.Received] {
        lock.withLock { records }
    }

    func received(by name: String, _ kind: SandboxBuyer.Received.Kind) -> [SandboxBuyer.Received] {
        lock.withLock { records.filter { $0.buyer == name && $0.kind == kind } }
    }

    func clearReceived() {
        lock.withLock { records.removeAll() }
    }

    // MARK: Server phase

    var port: Int? {
        lock.withLock {
            if case .running(let port) = phase { return port }
            return nil
        }
    }

    func starting(_ group: ServiceGroup) {
        lock.withLock {
            phase = .idle
            serviceGroup = group
            stopping = false
        }
    }

    func started(port: Int) {
        let ready = lock.withLock {
            phase = .running(port: port)
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in ready { waiter.resume(returning: port) }
    }

    func stopped() {
        let pending = lock.withLock {
            phase = .stopped
            serviceGroup = nil
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in pending { waiter.resume(throwing: SandboxBuyers.Failure.stopped) }
    }

    func waitForPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Int, any Error>? = lock.withLock {
                switch phase {
                case .running(let port): return .success(port)
                case .stopped: return .failure(SandboxBuyers.Failure.stopped)
                case .idle:
                    waiters.append(continuation)
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
        let (released, group) = lock.withLock {
            stopping = true
            defer { holds.removeAll() }
            return (Array(holds.values), serviceGroup)
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
        let id = lock.withLock {
            nextHold += 1
            return nextHold
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = lock.withLock {
                    if stopping || Task.isCancelled { return true }
                    holds[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            lock.withLock { holds.removeValue(forKey: id) }?.resume()
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
