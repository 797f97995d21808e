/// How a campaign prices a lead: a base price adjusted by rules in order, clamped to a maximum.
public struct BidPolicy: Sendable, Hashable {
    /// What a rule does to the running price when its conditions hold.
    public enum Action: Sendable, Hashable {
        /// Replace the running price.
        case set(Money)
        /// Add to it (negative to subtract).
        case add(Money)
        /// Multiply it.
        case multiply(Rate)
    }

    /// One pricing rule: when every condition holds, apply the action.
    public struct Rule: Sendable, Hashable {
        /// The conditions, all of which must hold.
        public var when: [Condition]
        /// The adjustment.
        public var action: Action

        /// Creates a rule.
        public init(when: [Condition], action: Action) {
            self.when = when
            self.action = action
        }
    }

    /// The starting price (zero when absent).
    public var base: Money?
    /// The highest price this campaign pays, whatever the rules or a remote bid say.
    public var max: Money?
    /// The rules, applied in order.
    public var rules: [Rule]

    /// Creates a policy.
    public init(base: Money? = nil, max: Money? = nil, rules: [Rule] = []) {
        self.base = base
        self.max = max
        self.rules = rules
    }

    /// The price for a lead's fields: rules applied in order on an exact running price (in
    /// millionths of a dollar), rounded once to cents and clamped to `max`; `nil` when the
    /// result is not positive (no bid).
    public func price(for fields: [String: JSONValue]) -> Money? {
        let scale: Int64 = 10_000  // micro-dollars per cent
        var running = (base ?? .zero).cents * scale
        for rule in rules where rule.when.allSatisfy({ $0.matches(fields) }) {
            switch rule.action {
            case .set(let price): running = price.cents * scale
            case .add(let amount): running += amount.cents * scale
            case .multiply(let factor): running = factor.apply(toScaled: running)
            }
        }
        let half = running < 0 ? -scale / 2 : scale / 2
        var price = Money(cents: (running + half) / scale)
        if let max, price > max { price = max }
        return price.cents > 0 ? price : nil
    }
}
