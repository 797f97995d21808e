import Foundation
import GavelCore

/// The foreign buyers of a sandbox: their state and every call they received.
final class ForeignRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var buyers: [String: ForeignBuyerState] = [:]
    private var records: [ForeignBuyer.Received] = []

    func add(_ name: String, _ shape: ForeignShape, _ behavior: ForeignBuyer.Behavior) {
        lock.withLock { buyers[name] = ForeignBuyerState(shape: shape, behavior: behavior) }
    }

    func shape(_ name: String) -> ForeignShape? {
        lock.withLock { buyers[name]?.shape }
    }

    func update(_ name: String, _ change: (inout ForeignBuyer.Behavior) -> Void) {
        lock.withLock { if buyers[name] != nil { change(&buyers[name]!.behavior) } }
    }

    /// Answers a call and records it; `nil` when no buyer of that name and shape exists. The
    /// second value is how long the buyer waits before answering.
    func receive(
        _ request: ForeignRequest, buyer name: String, shape: ForeignShape, kind: ForeignBuyer.Received.Kind
    ) -> (ForeignAnswer, Duration)? {
        lock.withLock {
            guard var state = buyers[name], state.shape == shape else { return nil }
            let answer = ForeignShapes.answer(kind, request, state: &state)
            buyers[name] = state
            records.append(
                ForeignBuyer.Received(
                    buyer: name, shape: shape, kind: kind, method: request.method, query: request.query, headers: request.headers,
                    body: request.body, form: request.form, answerStatus: answer.status, answerBody: answer.body))
            return (answer, state.behavior.latency)
        }
    }

    func received(by name: String, _ kind: ForeignBuyer.Received.Kind) -> [ForeignBuyer.Received] {
        lock.withLock { records.filter { $0.buyer == name && $0.kind == kind } }
    }

    var received: [ForeignBuyer.Received] {
        lock.withLock { records }
    }
}

extension SandboxBuyers {
    /// Adds a buyer with its own API of one of the ``ForeignShape``s (or replaces it), at
    /// `/foreign/<shape>/<name>/ping` and `/post`.
    @discardableResult
    public func addForeign(_ name: String, _ shape: ForeignShape, _ behavior: ForeignBuyer.Behavior = ForeignBuyer.Behavior()) -> ForeignBuyer {
        foreign.add(name, shape, behavior)
        return ForeignBuyer(name: name, shape: shape, buyers: self)
    }

    /// Every call any foreign buyer received, oldest first.
    public var foreignReceived: [ForeignBuyer.Received] { foreign.received }
}
