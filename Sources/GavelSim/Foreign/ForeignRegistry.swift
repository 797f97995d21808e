import GavelCore

/// The foreign buyers of a sandbox: their state and every call they received.
final class ForeignRegistry: Sendable {
    private struct State: Sendable {
        var buyers: [String: ForeignBuyerState] = [:]
        var records: [ForeignBuyer.Received] = []
    }

    private let state = Locked(State())

    func add(_ name: String, _ shape: ForeignShape, _ behavior: ForeignBuyer.Behavior) {
        state.withLock { $0.buyers[name] = ForeignBuyerState(shape: shape, behavior: behavior) }
    }

    func shape(_ name: String) -> ForeignShape? {
        state.withLock { $0.buyers[name]?.shape }
    }

    func update(_ name: String, _ change: (inout ForeignBuyer.Behavior) -> Void) {
        state.withLock { state in if state.buyers[name] != nil { change(&state.buyers[name]!.behavior) } }
    }

    /// Answers a call and records it; `nil` when no buyer of that name and shape exists. The
    /// second value is how long the buyer waits before answering.
    func receive(
        _ request: ForeignRequest, buyer name: String, shape: ForeignShape, kind: ForeignBuyer.Received.Kind
    ) -> (ForeignAnswer, Duration)? {
        state.withLock { registry in
            guard var state = registry.buyers[name], state.shape == shape else { return nil }
            let answer = ForeignShapes.answer(kind, request, state: &state)
            registry.buyers[name] = state
            registry.records.append(
                ForeignBuyer.Received(
                    buyer: name, shape: shape, kind: kind, method: request.method, query: request.query, headers: request.headers,
                    body: request.body, form: request.form, answerStatus: answer.status, answerBody: answer.body))
            return (answer, state.behavior.latency)
        }
    }

    func received(by name: String, _ kind: ForeignBuyer.Received.Kind) -> [ForeignBuyer.Received] {
        state.withLock { state in state.records.filter { $0.buyer == name && $0.kind == kind } }
    }

    var received: [ForeignBuyer.Received] {
        state.withLock { $0.records }
    }
}

extension SandboxBuyers {
    /// Adds a buyer with its own API of one of the ``ForeignShape``s (or replaces it), at
    /// `/foreign/<shape>/<name>/ping` and `/post`.
    @discardableResult
    public func addForeign(
        _ name: String, _ shape: ForeignShape, _ behavior: ForeignBuyer.Behavior = ForeignBuyer.Behavior()
    ) -> ForeignBuyer {
        foreign.add(name, shape, behavior)
        return ForeignBuyer(name: name, shape: shape, buyers: self)
    }

    /// Every call any foreign buyer received, oldest first.
    public var foreignReceived: [ForeignBuyer.Received] { foreign.received }
}
