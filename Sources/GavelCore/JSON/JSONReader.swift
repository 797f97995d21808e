/// One problem with one field of a request, as listed in a problem+json `errors` array.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// The field's path, e.g. `fields.phone` or `bid.rules[0].when.state`.
    public var field: String
    /// What is wrong with it.
    public var message: String

    /// Creates a field error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}

/// Input that is well-formed but invalid: every problem found, at once (a 422).
public struct ValidationFailure: Error, Sendable, Equatable {
    /// Each bad field.
    public var errors: [FieldError]

    /// Creates a failure from its field errors.
    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    /// A failure with one field error.
    public init(field: String, _ message: String) {
        self.errors = [FieldError(field: field, message: message)]
    }
}

/// Collects field errors while a document is read, so every problem is reported at once.
public final class FieldErrorLog {
    /// The errors found so far.
    public private(set) var errors: [FieldError] = []

    /// Creates an empty log.
    public init() {}

    /// Records a problem with a field.
    public func add(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    /// Records problems found elsewhere.
    public func add(contentsOf other: [FieldError]) {
        errors.append(contentsOf: other)
    }

    /// Whether nothing was wrong.
    public var isEmpty: Bool { errors.isEmpty }

    /// Throws the collected errors, if any.
    public func throwIfAny() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// Reads typed members out of a JSON object, recording a ``FieldError`` with the member's full
/// path for each one that is missing or of the wrong type, instead of stopping at the first.
public struct JSONReader {
    /// The object's members.
    public let members: [String: JSONValue]
    /// The object's path from the document's root (empty at the root).
    public let path: String
    /// Where problems are recorded.
    public let log: FieldErrorLog

    /// A reader for an object, or `nil` (with an error recorded) when `value` is not an object.
    public init?(_ value: JSONValue, path: String = "", log: FieldErrorLog) {
        guard case .object(let members) = value else {
            log.add(path.isEmpty ? "body" : path, "must be an object")
            return nil
        }
        self.members = members
        self.path = path
        self.log = log
    }

    /// The full path of a member.
    public func path(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Records a problem with a member.
    public func fail(_ key: String, _ message: String) {
        log.add(path(key), message)
    }

    /// The member's value, treating `null` as absent; records "is required" when required and
    /// absent.
    public func value(_ key: String, required: Bool = false) -> JSONValue? {
        guard let value = members[key], !value.isNull else {
            if required { fail(key, "is required") }
            return nil
        }
        return value
    }

    /// Records an error for each member not in `known`.
    public func rejectUnknown(_ known: Set<String>) {
        for key in members.keys.sorted() where !known.contains(key) {
            fail(key, "is not a known field")
        }
    }

    /// Records "must not be null" for each member that is `null` and not in `nullable`: where
    /// the documented schema does not allow `null`, it is refused rather than read as absent.
    public func rejectNulls(except nullable: Set<String> = []) {
        for (key, value) in members.sorted(by: { $0.key < $1.key }) where value.isNull && !nullable.contains(key) {
            fail(key, "must not be null")
        }
    }

    /// Checks members the exchange sets itself (such as `created_at`) and otherwise ignores: when
    /// given, each must be an RFC 3339 date-time.
    public func ignoredTimes(_ keys: [String]) {
        for key in keys {
            guard let value = members[key], !value.isNull else { continue }
            guard case .string(let text) = value, text.utf8.count > 10, Timestamp(rfc3339: text) != nil else {
                fail(key, "must be an RFC 3339 date-time (it is set by the exchange and ignored here)")
                continue
            }
        }
    }

    /// A string member.
    public func string(_ key: String, required: Bool = false, maxLength: Int = 1_000) -> String? {
        guard let value = value(key, required: required) else { return nil }
        guard case .string(let text) = value else {
            fail(key, "must be a string")
            return nil
        }
        if required && text.isEmpty {
            fail(key, "must not be empty")
            return nil
        }
        if text.utf8.count > maxLength {
            fail(key, "must be at most \(maxLength) bytes")
            return nil
        }
        return text
    }

    /// A boolean member.
    public func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let value = value(key, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            fail(key, "must be true or false")
            return nil
        }
        return flag
    }

    /// An integer member within `range`.
    public func int(_ key: String, required: Bool = false, in range: ClosedRange<Int> = 0...Int(Int32.max)) -> Int? {
        guard let value = value(key, required: required) else { return nil }
        guard case .number(let number) = value, let integer = number.integerValue, range.contains(Int(integer)) else {
            fail(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(integer)
    }

    /// A money member: a number with at most two decimals, not negative unless allowed.
    public func money(_ key: String, required: Bool = false, allowNegative: Bool = false) -> Money? {
        guard let value = value(key, required: required) else { return nil }
        return Self.money(value, path: path(key), allowNegative: allowNegative, log: log)
    }

    /// Converts a value to money, recording why it is not.
    public static func money(_ value: JSONValue, path: String, allowNegative: Bool = false, log: FieldErrorLog) -> Money? {
        guard case .number(let number) = value else {
            log.add(path, "must be a number of dollars, e.g. 12.5")
            return nil
        }
        guard let money = Money(number), money.cents.magnitude <= 100_000_000_000 else {
            log.add(path, "must have at most 2 decimals (money is exact to the cent)")
            return nil
        }
        if money.cents < 0 && !allowNegative {
            log.add(path, "must not be negative")
            return nil
        }
        return money
    }

    /// A rate member (up to six decimals) within `range`.
    public func rate(_ key: String, required: Bool = false, in range: ClosedRange<Rate>) -> Rate? {
        guard let value = value(key, required: required) else { return nil }
        return Self.rate(value, path: path(key), in: range, log: log)
    }

    /// Converts a value to a rate within `range`, recording why it is not.
    public static func rate(_ value: JSONValue, path: String, in range: ClosedRange<Rate>, log: FieldErrorLog) -> Rate? {
        guard case .number(let number) = value, let rate = Rate(number) else {
            log.add(path, "must be a number with at most 6 decimals")
            return nil
        }
        guard range.contains(rate) else {
            log.add(path, "must be from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return rate
    }

    /// A nested object member, as a reader.
    public func object(_ key: String, required: Bool = false) -> JSONReader? {
        guard let value = value(key, required: required) else { return nil }
        return JSONReader(value, path: path(key), log: log)
    }

    /// An array member.
    public func array(_ key: String, required: Bool = false) -> [JSONValue]? {
        guard let value = value(key, required: required) else { return nil }
        guard case .array(let elements) = value else {
            fail(key, "must be an array")
            return nil
        }
        return elements
    }

    /// An array of strings.
    public func strings(_ key: String) -> [String]? {
        guard let elements = array(key) else { return nil }
        var result: [String] = []
        for (offset, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                log.add("\(path(key))[\(offset)]", "must be a string")
                continue
            }
            result.append(text)
        }
        return result
    }

    /// An enumeration member given as a string of one of its raw values.
    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type, required: Bool = false) -> E?
    where E.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let result = E(rawValue: text) else {
            let allowed = E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            fail(key, "must be one of \(allowed)")
            return nil
        }
        return result
    }
}
