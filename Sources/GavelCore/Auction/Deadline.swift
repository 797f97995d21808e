/// The exchange's deadlines, enforced here and nowhere else: a race inside a task group. The
/// calls run as children beside one child per distinct deadline that sleeps until it; each
/// answer is taken as it comes. When a call's deadline comes first, its answer is `late(nil)`
/// and the others go on; once every call is answered or past its deadline, the calls still
/// running are cancelled — the buyer gateway ends a cancelled call at once — and what they
/// return replaces their answer through `late`. One failing or slow call never holds up
/// another's answer.
///
/// Generic over the clock, so tests drive it with a manual clock and no waiting.
public enum Deadline {
    /// One call under its own deadline.
    public struct Call<Instant: Sendable, Answer: Sendable>: Sendable {
        /// When its answer is due.
        public var deadline: Instant
        /// The call.
        public var work: @Sendable () async -> Answer
        /// The answer of a call that did not answer in time, given what it returned after its
        /// deadline or after it was cancelled at the latest one (`nil` if it returned nothing).
        public var late: @Sendable (Answer?) -> Answer

        /// Creates a call.
        public init(deadline: Instant, work: @escaping @Sendable () async -> Answer, late: @escaping @Sendable (Answer?) -> Answer) {
            self.deadline = deadline
            self.work = work
            self.late = late
        }
    }

    private enum Event<Instant: Sendable, Answer: Sendable>: Sendable {
        case answer(Int, Answer, at: Instant)
        case deadline(Instant)
    }

    /// Runs the calls at once and returns their answers in order, each by its own deadline.
    public static func gather<C: Clock, Answer: Sendable>(_ calls: [Call<C.Instant, Answer>], clock: C) async -> [Answer] {
        var answers = [Answer?](repeating: nil, count: calls.count)
        await withTaskGroup(of: Event<C.Instant, Answer>.self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask {
                    let answer = await call.work()
                    return .answer(index, answer, at: clock.now)
                }
            }
            for deadline in Set(calls.map { $0.deadline }) {  // a closure: a key path here is built at run time, per call
                group.addTask {
                    try? await clock.sleep(until: deadline, tolerance: nil)
                    return .deadline(deadline)
                }
            }
            var open = Set(calls.indices)
            while !open.isEmpty, let event = await group.next() {
                switch event {
                case .deadline(let deadline):
                    for index in open where calls[index].deadline <= deadline {
                        answers[index] = calls[index].late(nil)
                        open.remove(index)
                    }
                case .answer(let index, let answer, let at):
                    let inTime = open.contains(index) && at <= calls[index].deadline
                    answers[index] = inTime ? answer : calls[index].late(answer)
                    open.remove(index)
                }
            }
            group.cancelAll()
            while let event = await group.next() {
                if case .answer(let index, let answer, _) = event { answers[index] = calls[index].late(answer) }
            }
        }
        return zip(calls, answers).map { call, answer in answer ?? call.late(nil) }
    }

    /// Runs one call by its deadline: its answer, or — when the deadline comes first and the
    /// call is cancelled — `late` of what it returned then.
    public static func race<C: Clock, Answer: Sendable>(
        until deadline: C.Instant, clock: C, _ work: @escaping @Sendable () async -> Answer,
        late: @escaping @Sendable (Answer?) -> Answer
    ) async -> Answer {
        let call = Call<C.Instant, Answer>(deadline: deadline, work: work, late: late)
        return await gather([call], clock: clock)[0]
    }
}
