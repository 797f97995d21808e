/// One test on one lead field, as used by campaign `filters` and bid-rule `when` clauses:
/// `{"state": {"in": ["CA", "NY"]}}` is `Condition(field: "state", op: .in, operand: ["CA", "NY"])`.
public struct Condition: Sendable, Hashable {
    /// The comparison operators of the contract.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// Equal.
        case eq
        /// Not equal (true when the field is missing).
        case ne
        /// Equal to one of a list.
        case `in`
        /// Equal to none of a list (true when the field is missing).
        case notIn = "not_in"
        /// Less than.
        case lt
        /// Less than or equal.
        case lte
        /// Greater than.
        case gt
        /// Greater than or equal.
        case gte
        /// Present (`true`) or absent (`false`).
        case exists
    }

    /// The lead field tested.
    public var field: String
    /// The comparison.
    public var op: Operator
    /// What the field is compared with.
    public var operand: JSONValue

    /// Creates a condition.
    public init(field: String, op: Operator, operand: JSONValue) {
        self.field = field
        self.op = op
        self.operand = operand
    }

    /// Whether a lead's fields satisfy the condition.
    public func matches(_ fields: [String: JSONValue]) -> Bool {
        // A null field counts as missing. (Not `flatMap { $0.isNull ? nil : $0 }`: there `nil`
        // is JSONValue's own nil literal, `.null`, so a null field would count as present.)
        var value = fields[field]
        if value?.isNull == true { value = nil }
        switch op {
        case .exists: return (value != nil) == (operand.boolValue ?? true)
        case .eq: return value.map { Self.equal($0, operand) } ?? false
        case .ne: return value.map { !Self.equal($0, operand) } ?? true
        case .in: return value.map { v in operandList.contains { Self.equal(v, $0) } } ?? false
        case .notIn: return value.map { v in !operandList.contains { Self.equal(v, $0) } } ?? true
        case .lt: return compare(value) { $0 < 0 }
        case .lte: return compare(value) { $0 <= 0 }
        case .gt: return compare(value) { $0 > 0 }
        case .gte: return compare(value) { $0 >= 0 }
        }
    }

    private var operandList: [JSONValue] {
        operand.arrayValue ?? [operand]
    }

    private func compare(_ value: JSONValue?, _ accept: (Int) -> Bool) -> Bool {
        guard let value, let order = Self.order(value, operand) else { return false }
        return accept(order)
    }

    /// Equality across JSON types the way a person means it: numbers by value (also when one side
    /// is a numeric string), strings case-sensitively, booleans also against "true"/"false".
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return a == b
        case (.number(let a), .string(let b)), (.string(let b), .number(let a)): return Number(text: b) == a
        case (.string(let a), .string(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.bool(let a), .string(let b)), (.string(let b), .bool(let a)): return (a ? "true" : "false") == b.lowercased()
        default: return lhs == rhs
        }
    }

    /// -1, 0 or 1 for comparable values (numbers, numeric strings against numbers, strings such
    /// as ISO dates against strings); `nil` when they cannot be ordered.
    static func order(_ lhs: JSONValue, _ rhs: JSONValue) -> Int? {
        func sign(_ a: Number, _ b: Number) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return sign(a, b)
        case (.string(let a), .number(let b)): return Number(text: a).map { sign($0, b) }
        case (.number(let a), .string(let b)): return Number(text: b).map { sign(a, $0) }
        case (.string(let a), .string(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        default: return nil
        }
    }
}

extension Condition {
    /// Parses a `when` clause: an object of field name to an object of operator to operand.
    public static func parseWhen(_ value: JSONValue, path: String, log: FieldErrorLog) -> [Condition] {
        guard case .object(let members) = value else {
            log.add(path, "must be an object of field name to conditions, e.g. {\"state\": {\"in\": [\"CA\"]}}")
            return []
        }
        var conditions: [Condition] = []
        for field in members.keys.sorted() {
            guard case .object(let tests) = members[field]! else {
                log.add("\(path).\(field)", "must be an object of operator to value, e.g. {\"eq\": true}")
                continue
            }
            for name in tests.keys.sorted() {
                if let condition = parse(field: field, op: name, operand: tests[name]!, path: "\(path).\(field).\(name)", log: log) {
                    conditions.append(condition)
                }
            }
        }
        return conditions
    }

    /// Parses one filter: `{"field": "state", "in": ["CA"]}` (several operators may be given).
    public static func parseFilter(_ value: JSONValue, path: String, log: FieldErrorLog) -> [Condition] {
        guard let reader = JSONReader(value, path: path, log: log) else { return [] }
        guard let field = reader.string("field", required: true) else { return [] }
        let tests = reader.members.filter { $0.key != "field" }
        if tests.isEmpty { log.add(path, "needs an operator such as \"eq\" or \"in\"") }
        return tests.keys.sorted().compactMap { name in
            parse(field: field, op: name, operand: tests[name]!, path: "\(path).\(name)", log: log)
        }
    }

    static func parse(field: String, op name: String, operand: JSONValue, path: String, log: FieldErrorLog) -> Condition? {
        guard let op = Operator(rawValue: name) else {
            let known = Operator.allCases.map(\.rawValue).joined(separator: ", ")
            log.add(path, "unknown operator '\(name)' (known: \(known))")
            return nil
        }
        switch op {
        case .in, .notIn:
            guard case .array = operand else {
                log.add(path, "must be an array")
                return nil
            }
        case .exists:
            guard case .bool = operand else {
                log.add(path, "must be true or false")
                return nil
            }
        case .lt, .lte, .gt, .gte:
            switch operand {
            case .number, .string: break
            default:
                log.add(path, "must be a number or a string")
                return nil
            }
        case .eq, .ne:
            switch operand {
            case .array, .object:
                log.add(path, "must be a single value")
                return nil
            default: break
            }
        }
        return Condition(field: field, op: op, operand: operand)
    }

    /// The `when` clause form of a list of conditions.
    public static func whenJSON(_ conditions: [Condition]) -> JSONValue {
        var members: [String: [String: JSONValue]] = [:]
        for condition in conditions {
            members[condition.field, default: [:]][condition.op.rawValue] = condition.operand
        }
        return .object(members.mapValues { .object($0) })
    }

    /// The filter form of one condition.
    public var filterJSON: JSONValue {
        .object(["field": .string(field), op.rawValue: operand])
    }
}
