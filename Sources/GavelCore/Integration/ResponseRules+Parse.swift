extension ResponseRules {
    static func parse(_ reader: JSONReader, role: Integration.Call.Role) -> ResponseRules {
        reader.rejectUnknown([
            "format", "read_statuses", "status_outcomes", "accept", "reject", "duplicate", "price", "price_unit", "bid_id", "reason",
            "lead_id", "redirect_url", "captures",
        ])
        var rules = ResponseRules(format: reader.choice("format", Format.self) ?? .auto)
        rules.readStatuses = readStatuses(reader)
        rules.statusOutcomes = readStatusOutcomes(reader, role: role)
        rules.accept = Matcher.parseAny(reader, "accept", format: rules.format)
        rules.reject = Matcher.parseAny(reader, "reject", format: rules.format)
        rules.duplicate = Matcher.parseAny(reader, "duplicate", format: rules.format)
        rules.price = Selector.parse(reader, "price", format: rules.format)
        rules.priceUnit = reader.choice("price_unit", PriceUnit.self) ?? .dollars
        rules.reason = Selector.parse(reader, "reason", format: rules.format)
        rules.readRoleMembers(reader, role: role)
        return rules
    }

    private mutating func readRoleMembers(_ reader: JSONReader, role: Integration.Call.Role) {
        let pingOnly = ["bid_id", "captures"], postOnly = ["lead_id", "redirect_url"]
        for key in role == .ping ? postOnly : pingOnly where reader.value(key) != nil {
            reader.fail(key, "is read from a \(role == .ping ? "post" : "ping")'s answer, not a \(role.rawValue)'s")
        }
        switch role {
        case .ping:
            bidID = Selector.parse(reader, "bid_id", format: format)
            captures = readCaptures(reader)
            if price == nil { reader.fail("price", "a ping's answer needs the path of the bid's price") }
        case .post:
            leadID = Selector.parse(reader, "lead_id", format: format)
            redirectURL = Selector.parse(reader, "redirect_url", format: format)
            if accept.isEmpty { reader.fail("accept", "a post's answer needs the condition that means accepted") }
        }
    }

    private func readCaptures(_ reader: JSONReader) -> [String: Selector] {
        guard let captures = reader.object("captures") else { return [:] }
        var result: [String: Selector] = [:]
        for name in captures.members.keys.sorted() {
            if !Identifier.isValid(name) { captures.fail(name, "a capture's name must be 1-64 letters, digits, '_', '-', '.' or ':'") }
            result[name] = Selector.parse(captures, name, format: format)
        }
        return result
    }

    private static func readStatuses(_ reader: JSONReader) -> [Int]? {
        guard let elements = reader.array("read_statuses") else { return nil }
        return elements.enumerated().compactMap { offset, element in
            guard let code = element.numberValue?.integerValue, (100...599).contains(code) else {
                reader.log.add(reader.path("read_statuses") + "[\(offset)]", "must be an HTTP status from 100 to 599")
                return nil
            }
            return Int(code)
        }
    }

    private static func readStatusOutcomes(_ reader: JSONReader, role: Integration.Call.Role) -> [Int: StatusOutcome] {
        guard let outcomes = reader.object("status_outcomes") else { return [:] }
        let refused: StatusOutcome = role == .ping ? .accepted : .noBid
        var result: [Int: StatusOutcome] = [:]
        for key in outcomes.members.keys.sorted() {
            guard let code = Int(key), (100...599).contains(code) else {
                outcomes.fail(key, "must be an HTTP status from 100 to 599")
                continue
            }
            guard let outcome = outcomes.choice(key, StatusOutcome.self, required: true) else { continue }
            if outcome == refused { outcomes.fail(key, "'\(outcome.rawValue)' is not an answer to a \(role.rawValue)") }
            result[code] = outcome
        }
        return result
    }
}

extension Selector {
    /// Reads a selector member: a path string, or `{"path": …, "regex": …}`.
    static func parse(_ reader: JSONReader, _ key: String, format: ResponseRules.Format) -> Selector? {
        guard let value = reader.value(key) else { return nil }
        if case .string(let text) = value { return path(text, at: reader.path(key), format: format, log: reader.log) }
        guard let object = JSONReader(value, path: reader.path(key), log: reader.log) else { return nil }
        object.rejectUnknown(["path", "regex"])
        return parse(object, format: format)
    }

    /// Reads the `path` and `regex` members of an object (a selector or a matcher).
    static func parse(_ reader: JSONReader, format: ResponseRules.Format) -> Selector? {
        let path = reader.string("path", maxLength: 500).flatMap { Self.path($0, at: reader.path("path"), format: format, log: reader.log) }
        let regex = reader.string("regex", maxLength: 500)
        if let regex, !RegexCheck.isValid(regex) { reader.fail("regex", "is not a valid regular expression") }
        if path == nil && regex == nil && reader.value("path") == nil {
            reader.fail("path", "give a path, a regex, or both")
            return nil
        }
        return Selector(path: path?.path, regex: regex)
    }

    private static func path(_ text: String, at place: String, format: ResponseRules.Format, log: FieldErrorLog) -> Selector? {
        guard format != .text else {
            log.add(place, "a plain-text answer has no paths: use a regex")
            return nil
        }
        guard let path = ValuePath(text) else {
            log.add(place, "must be a dotted path such as data.price, bids[0].amount or response.@status")
            return nil
        }
        return Selector(path: path)
    }
}

extension Matcher {
    static let keys: Set<String> = ["path", "regex", "equals", "exists", "matches", "ignore_case"]

    /// Reads a condition or a list of conditions (any of which may match).
    static func parseAny(_ reader: JSONReader, _ key: String, format: ResponseRules.Format) -> [Matcher] {
        guard let value = reader.value(key) else { return [] }
        let elements = value.arrayValue ?? [value]
        let isList = value.arrayValue != nil
        return elements.enumerated().compactMap { offset, element in
            let place = isList ? reader.path(key) + "[\(offset)]" : reader.path(key)
            return JSONReader(element, path: place, log: reader.log).flatMap { parse($0, format: format) }
        }
    }

    static func parse(_ reader: JSONReader, format: ResponseRules.Format) -> Matcher? {
        reader.rejectUnknown(keys)
        let tests = ["equals", "exists", "matches"].filter { reader.members[$0] != nil }
        guard tests.count == 1 else {
            reader.fail(tests.isEmpty ? "equals" : tests[1], "give exactly one of equals, exists or matches")
            return nil
        }
        let selector =
            reader.value("path") == nil && reader.value("regex") == nil
            ? Selector() : Selector.parse(reader, format: format)
        guard let selector, let test = readTest(reader, tests[0]) else { return nil }
        if selector.path == nil && selector.regex == nil && tests[0] != "matches" {
            reader.fail("path", "give the path of the value to test")
        }
        return Matcher(selector: selector, test: test, ignoreCase: reader.bool("ignore_case") ?? false)
    }

    private static func readTest(_ reader: JSONReader, _ kind: String) -> Test? {
        switch kind {
        case "exists": return reader.bool("exists", required: true).map(Test.exists)
        case "matches":
            guard let pattern = reader.string("matches", required: true, maxLength: 500) else { return nil }
            if !RegexCheck.isValid(pattern) { reader.fail("matches", "is not a valid regular expression") }
            return .matches(pattern)
        default:
            guard let value = reader.value("equals", required: true) else { return nil }
            let values = value.arrayValue ?? [value]
            guard !values.isEmpty, values.allSatisfy({ $0.isScalar }) else {
                reader.fail("equals", "must be a value or a list of values (strings, numbers or booleans)")
                return nil
            }
            return .equals(values.map(\.plainText))
        }
    }
}

extension JSONValue {
    /// Whether the value is a string, number or boolean.
    var isScalar: Bool {
        switch self {
        case .string, .number, .bool: true
        default: false
        }
    }
}

/// Regular expressions of response rules: checked when a campaign is saved, compiled when used.
enum RegexCheck {
    static func isValid(_ pattern: String) -> Bool {
        (try? Regex(pattern)) != nil
    }
}
