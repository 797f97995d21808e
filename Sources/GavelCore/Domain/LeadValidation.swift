/// How a lead's fields are checked: a full lead, or the partial non-personal lead of a ping.
public enum LeadValidationMode: Sendable {
    /// All required fields, personal ones included.
    case full
    /// Only non-personal fields; any personal field is an error.
    case ping
}

extension Vertical {
    /// Checks and normalizes a lead's fields, returning every problem at once.
    ///
    /// Phones become 10 NANP digits, emails lower case, states upper case, dates `YYYY-MM-DD`,
    /// numeric strings numbers. Unknown fields are refused, so nothing unvetted (and possibly
    /// personal) is ever forwarded to a buyer.
    public func validate(
        fields: [String: JSONValue], mode: LeadValidationMode = .full
    ) -> Result<[String: JSONValue], ValidationFailure> {
        var normalized: [String: JSONValue] = [:]
        var errors: [FieldError] = []
        for spec in self.fields {
            let path = "fields.\(spec.name)"
            // A blank string (empty or only spaces) counts as absent, so a required field cannot be
            // satisfied by "   " and an optional one is not stored as "".
            guard let raw = fields[spec.name], !raw.isNull, raw.stringValue?.trimmingSpaces.isEmpty != true else {
                if spec.required && (mode == .full || !spec.pii) {
                    errors.append(FieldError(field: path, message: "is required"))
                }
                continue
            }
            if mode == .ping && spec.pii {
                errors.append(FieldError(field: path, message: "is personal data and is not accepted in a ping"))
                continue
            }
            switch spec.normalize(raw) {
            case .success(let value): normalized[spec.name] = value
            case .failure(let problem): errors.append(FieldError(field: path, message: problem.message))
            }
        }
        for name in fields.keys.sorted() where field(named: name) == nil {
            errors.append(FieldError(field: "fields.\(name)", message: "is not a field of vertical '\(id)'"))
        }
        return errors.isEmpty ? .success(normalized) : .failure(ValidationFailure(errors))
    }

    /// The non-personal subset of normalized fields: what a buyer may see before it wins.
    public func nonPersonal(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        let pii = piiFieldNames
        return fields.filter { !pii.contains($0.key) }
    }
}

/// Why a single value does not fit its field.
public struct FieldProblem: Error, Sendable, Equatable {
    /// The explanation.
    public var message: String

    /// Creates a problem.
    public init(_ message: String) {
        self.message = message
    }
}

extension FieldSpec {
    /// Checks one value against this field and returns its normalized form.
    public func normalize(_ value: JSONValue) -> Result<JSONValue, FieldProblem> {
        switch kind {
        case .string: normalizeString(value)
        case .integer: normalizeNumber(value, integral: true)
        case .number: normalizeNumber(value, integral: false)
        case .boolean: Self.normalizeBoolean(value)
        case .enum: normalizeEnum(value)
        case .phone: Self.text(value).flatMap(Self.normalizePhone).map(JSONValue.string)
        case .email: Self.text(value).flatMap(Self.normalizeEmail).map(JSONValue.string)
        case .date: Self.text(value).flatMap(Self.normalizeDate).map(JSONValue.string)
        }
    }

    static let maxTextBytes = 1_000

    static func text(_ value: JSONValue) -> Result<String, FieldProblem> {
        guard case .string(let text) = value else { return .failure(FieldProblem("must be a string")) }
        guard text.utf8.count <= maxTextBytes else {
            return .failure(FieldProblem("must be at most \(maxTextBytes) bytes"))
        }
        return .success(text.trimmingSpaces)
    }

    private func normalizeString(_ value: JSONValue) -> Result<JSONValue, FieldProblem> {
        let text: String
        switch value {
        case .string:
            switch Self.text(value) {
            case .success(let trimmed): text = trimmed
            case .failure(let problem): return .failure(problem)
            }
        case .number(let number) where format == .zip: text = number.description
        default: return .failure(FieldProblem("must be a string"))
        }
        switch format {
        case .zip: return Self.normalizeZip(text).map(JSONValue.string)
        case .usState: return Self.normalizeState(text).map(JSONValue.string)
        case nil: return .success(.string(text))
        }
    }

    private func normalizeNumber(_ value: JSONValue, integral: Bool) -> Result<JSONValue, FieldProblem> {
        let number: Number
        switch value {
        case .number(let given): number = given
        case .string(let text):
            guard let parsed = Number(text: text.trimmingSpaces) else { return .failure(FieldProblem("must be a number")) }
            number = parsed
        default: return .failure(FieldProblem(integral ? "must be an integer" : "must be a number"))
        }
        if integral && !number.isInteger { return .failure(FieldProblem("must be an integer")) }
        if let minimum, number < minimum { return .failure(FieldProblem("must be at least \(minimum)")) }
        if let maximum, maximum < number { return .failure(FieldProblem("must be at most \(maximum)")) }
        return .success(.number(number))
    }

    /// A boolean from JSON `true`/`false` or from its text spellings (case-insensitive):
    /// true/false, yes/no, y/n, 1/0, and on/off as an HTML checkbox sends it.
    public static func normalizeBoolean(_ value: JSONValue) -> Result<JSONValue, FieldProblem> {
        switch value {
        case .bool: return .success(value)
        case .string(let text):
            switch text.trimmingSpaces.lowercased() {
            case "true", "yes", "y", "1", "on": return .success(.bool(true))
            case "false", "no", "n", "0", "off": return .success(.bool(false))
            default: break
            }
        default: break
        }
        return .failure(FieldProblem("must be true or false"))
    }

    private func normalizeEnum(_ value: JSONValue) -> Result<JSONValue, FieldProblem> {
        let text: String
        switch value {
        case .string(let given): text = given.trimmingSpaces
        case .number(let number): text = number.description
        case .bool(let flag): text = flag ? "true" : "false"
        default: return .failure(FieldProblem("must be one of \(values.joined(separator: ", "))"))
        }
        if let exact = values.first(where: { $0 == text }) ?? values.first(where: { $0.lowercased() == text.lowercased() }) {
            return .success(.string(exact))
        }
        return .failure(FieldProblem("must be one of \(values.joined(separator: ", "))"))
    }

    /// A North American phone number as its 10 digits; refuses impossible numbers (area code or
    /// exchange starting with 0 or 1, N11 area codes).
    public static func normalizePhone(_ text: String) -> Result<String, FieldProblem> {
        let allowed = Set(" ()-.+".utf8)
        var digits: [UInt8] = []
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte)
            } else if !allowed.contains(byte) {
                return .failure(FieldProblem("must be a US phone number of 10 digits"))
            }
        }
        if digits.count == 11 && digits[0] == UInt8(ascii: "1") { digits.removeFirst() }
        guard digits.count == 10 else { return .failure(FieldProblem("must be a US phone number of 10 digits")) }
        let zero = UInt8(ascii: "0"), one = UInt8(ascii: "1")
        if digits[0] == zero || digits[0] == one { return .failure(FieldProblem("has an impossible area code")) }
        if digits[1] == one && digits[2] == one { return .failure(FieldProblem("has an impossible area code")) }
        if digits[3] == zero || digits[3] == one { return .failure(FieldProblem("has an impossible exchange")) }
        return .success(String(decoding: digits, as: UTF8.self))
    }

    /// An email address checked for plausible syntax and lower-cased.
    public static func normalizeEmail(_ text: String) -> Result<String, FieldProblem> {
        let email = text.lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        let invalid = Result<String, FieldProblem>.failure(FieldProblem("must be an email address"))
        guard parts.count == 2, email.utf8.count <= 254 else { return invalid }
        let local = parts[0], domain = parts[1]
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~-".utf8)
        guard !local.isEmpty, local.utf8.count <= 64, local.utf8.allSatisfy(localAllowed.contains),
            !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return invalid }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy(isDomainLabel), let tld = labels.last,
            tld.utf8.count >= 2, tld.utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") })
        else { return invalid }
        return .success(email)
    }

    private static func isDomainLabel(_ label: Substring) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-".utf8)
        return !label.isEmpty && label.utf8.count <= 63 && label.utf8.allSatisfy(allowed.contains)
            && !label.hasPrefix("-") && !label.hasSuffix("-")
    }

    /// A US ZIP code: `12345` or `12345-6789`.
    public static func normalizeZip(_ text: String) -> Result<String, FieldProblem> {
        let bytes = Array(text.utf8)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if bytes.count == 5 && bytes.allSatisfy(isDigit) { return .success(text) }
        if bytes.count == 10 && bytes[5] == UInt8(ascii: "-") && bytes[0..<5].allSatisfy(isDigit)
            && bytes[6...].allSatisfy(isDigit)
        {
            return .success(text)
        }
        if bytes.count == 9 && bytes.allSatisfy(isDigit) {
            return .success(String(text.prefix(5)) + "-" + String(text.suffix(4)))
        }
        return .failure(FieldProblem("must be a US ZIP code (5 digits or ZIP+4)"))
    }

    /// A US state or territory code, upper-cased.
    public static func normalizeState(_ text: String) -> Result<String, FieldProblem> {
        let code = text.uppercased()
        return USState.codes.contains(code) ? .success(code) : .failure(FieldProblem("must be a US state code such as CA"))
    }

    /// An ISO 8601 date (`YYYY-MM-DD`, or a date-time whose date part is kept) that exists in
    /// the calendar.
    public static func normalizeDate(_ text: String) -> Result<String, FieldProblem> {
        let invalid = Result<String, FieldProblem>.failure(FieldProblem("must be an ISO 8601 date (YYYY-MM-DD)"))
        let bytes = Array(text.utf8)
        guard bytes.count == 10 || (bytes.count > 10 && (bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"))),
            bytes.count <= 35,
            bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = digitsValue(bytes[0..<4]), let month = digitsValue(bytes[5..<7]), let day = digitsValue(bytes[8..<10])
        else { return invalid }
        guard (1900...2200).contains(year), (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year) else {
            return invalid
        }
        return .success(String(decoding: bytes[0..<10], as: UTF8.self))
    }

    static func digitsValue(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\n" || c == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// The codes of US states, the District of Columbia and territories.
public enum USState {
    /// Every accepted two-letter code.
    public static let codes: Set<String> = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
        "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
        "DC", "PR", "VI", "GU", "AS", "MP",
    ]
}
