import Testing

@testable import GavelCore

/// A vertical exercising every field kind, with bounds.
let sampleVertical = Vertical(
    id: "sample", name: "Sample",
    fields: [
        FieldSpec("zip", .string, required: true),
        FieldSpec("state", .string),
        FieldSpec("name", .string, required: true, pii: true),
        FieldSpec("phone", .phone, pii: true),
        FieldSpec("email", .email, pii: true),
        FieldSpec("birth_date", .date),
        FieldSpec("age", .integer, minimum: Number(18), maximum: Number(99)),
        FieldSpec("income", .number, minimum: Number(0)),
        FieldSpec("score", .number, maximum: Number(significand: 105, exponent: -1)),
        FieldSpec("homeowner", .boolean),
        FieldSpec("credit", .enum, values: ["Excellent", "good"]),
        FieldSpec("comment", .string),
    ])

@Suite("Phone numbers")
struct PhoneTests {
    @Test(arguments: [
        "(415) 555-0100", "+1 415 555 0100", "415.555.0100", "4155550100", "1-415-555-0100", "14155550100",
        "415-555-0100", "+1 (415) 555-0100", "1 (415) 555.0100",
    ])
    func normalizesToTenDigits(_ text: String) {
        #expect(FieldSpec.normalizePhone(text) == .success("4155550100"))
    }

    @Test(arguments: [
        ("015 555 0100", "has an impossible area code"),
        ("115-555-0100", "has an impossible area code"),
        ("411-555-0100", "has an impossible area code"),
        ("911 555 0100", "has an impossible area code"),
        ("+1 211 555 0100", "has an impossible area code"),
        ("415-055-0100", "has an impossible exchange"),
        ("415-155-0100", "has an impossible exchange"),
        ("415555010", "must be a US phone number of 10 digits"),
        ("415555010000", "must be a US phone number of 10 digits"),
        ("24155550100", "must be a US phone number of 10 digits"),
        ("415-555-01OO", "must be a US phone number of 10 digits"),
        ("415 555 0100 x12", "must be a US phone number of 10 digits"),
        ("+44 20 7946 0958", "must be a US phone number of 10 digits"),
        ("", "must be a US phone number of 10 digits"),
        ("four one five", "must be a US phone number of 10 digits"),
        ("415/555/0100", "must be a US phone number of 10 digits"),
    ])
    func rejectsImpossibleNumbers(_ text: String, _ message: String) {
        #expect(FieldSpec.normalizePhone(text) == .failure(FieldProblem(message)))
    }

    @Test func otherAreaCodesAndExchangesWithOnesAreFine() {
        #expect(FieldSpec.normalizePhone("212 555 0100") == .success("2125550100"))  // 1 only in the middle
        #expect(FieldSpec.normalizePhone("415 211 0100") == .success("4152110100"))  // N11 exchange is allowed
        #expect(FieldSpec.normalizePhone("999 999 9999") == .success("9999999999"))
    }

    @Test func phoneMustBeAStringInALead() {
        let result = sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "phone": 4_155_550_100])
        #expect(message(result, at: "fields.phone") == "must be a string")
    }
}

@Suite("Email addresses")
struct EmailTests {
    @Test(arguments: [
        ("Ada@Example.COM", "ada@example.com"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk"),
        ("o'brien@example.org", "o'brien@example.org"),
        ("a@b.io", "a@b.io"),
        ("user_name-1@x-y.com", "user_name-1@x-y.com"),
        ("X{Y}@123.example", "x{y}@123.example"),
    ])
    func acceptsAndLowerCases(_ text: String, _ expected: String) {
        #expect(FieldSpec.normalizeEmail(text) == .success(expected))
    }

    @Test(arguments: [
        "plain", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com", ".a@b.com", "a.@b.com", "a..b@b.com",
        "a@-b.com", "a@b-.com", "a@b..com", "a@.b.com", "a@b.com.", "a@b.c", "a@b.c0m", "a b@c.com", "a@b_c.com",
        "ü@b.com", "a@bü.com", "a(b)@c.com", "\"a\"@b.com", "",
        String(repeating: "a", count: 65) + "@example.com",
        "a@" + String(repeating: "b", count: 64) + ".com",
        "a@" + Array(repeating: String(repeating: "b", count: 60), count: 5).joined(separator: ".") + ".com",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(FieldSpec.normalizeEmail(text) == .failure(FieldProblem("must be an email address")))
    }

    @Test func longestLocalPartIsAccepted() {
        let local = String(repeating: "a", count: 64)
        #expect(FieldSpec.normalizeEmail(local + "@example.com") == .success(local + "@example.com"))
    }
}

@Suite("ZIP codes and states")
struct ZipAndStateTests {
    @Test(arguments: [("94105", "94105"), ("94105-1234", "94105-1234"), ("941051234", "94105-1234"), ("00501", "00501")])
    func acceptsZipCodes(_ text: String, _ expected: String) {
        #expect(FieldSpec.normalizeZip(text) == .success(expected))
    }

    @Test(arguments: [
        "9410", "941055", "94105-123", "94105 1234", "9410a", "94105-12345", "abcde", "", "94105-", "-94105", "9410-51234",
        "9410５",
    ])
    func rejectsBadZipCodes(_ text: String) {
        #expect(FieldSpec.normalizeZip(text) == .failure(FieldProblem("must be a US ZIP code (5 digits or ZIP+4)")))
    }

    @Test func zipInALeadIsTrimmedAndMayBeANumber() throws {
        let normalized = try success(sampleVertical.validate(fields: ["zip": " 94105 ", "name": "Ada"]))
        #expect(normalized["zip"] == "94105")
        let fromNumber = try success(sampleVertical.validate(fields: ["zip": 94105, "name": "Ada"]))
        #expect(fromNumber["zip"] == "94105")
        let nineDigits = try success(sampleVertical.validate(fields: ["zip": 941_051_234, "name": "Ada"]))
        #expect(nineDigits["zip"] == "94105-1234")
        let short = sampleVertical.validate(fields: ["zip": 2134, "name": "Ada"])
        #expect(errorPaths(short) == ["fields.zip"])
    }

    @Test(arguments: [("ca", "CA"), ("Ny", "NY"), ("dc", "DC"), ("pr", "PR"), ("TX", "TX"), ("gu", "GU")])
    func upperCasesStates(_ text: String, _ expected: String) {
        #expect(FieldSpec.normalizeState(text) == .success(expected))
    }

    @Test(arguments: ["XX", "C", "Cal", "California", "", "C A", "ZZ"])
    func rejectsUnknownStates(_ text: String) {
        #expect(FieldSpec.normalizeState(text) == .failure(FieldProblem("must be a US state code such as CA")))
    }

    @Test func stateListHasFiftyStatesDCAndTerritories() {
        #expect(USState.codes.count == 56)
        #expect(USState.codes.allSatisfy { $0.count == 2 && $0 == $0.uppercased() })
    }

    @Test func wellKnownNamesGetFormats() {
        #expect(FieldSpec("zip", .string).format == .zip)
        #expect(FieldSpec("postal_code", .string).format == .zip)
        #expect(FieldSpec("state", .string).format == .usState)
        #expect(FieldSpec("state", .enum, values: ["a"]).format == nil)
        #expect(FieldSpec("city", .string).format == nil)
        #expect(FieldSpec("code", .string, format: .zip).format == .zip)
    }
}

@Suite("Dates")
struct DateValidationTests {
    @Test(arguments: [
        ("2024-02-29", "2024-02-29"),
        ("2000-02-29", "2000-02-29"),
        ("2023-12-31", "2023-12-31"),
        ("1900-01-01", "1900-01-01"),
        ("2024-02-29T10:30:00Z", "2024-02-29"),
        ("1990-05-17t00:00:00+02:00", "1990-05-17"),
        ("2024-04-30T23:59:59.999-07:00", "2024-04-30"),
    ])
    func acceptsCalendarDates(_ text: String, _ expected: String) {
        #expect(FieldSpec.normalizeDate(text) == .success(expected))
    }

    @Test(arguments: [
        "2023-02-29", "1900-02-29", "2100-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-06-31", "2024-01-32",
        "2024-01-00", "2024-1-01", "24-01-01", "2024/01/01", "20240101", "1899-12-31", "2201-01-01", "2024-01-01 10:00",
        "abcd-ef-gh", "", "2024-02-2", "2024-02-29X", "+024-02-29",
    ])
    func rejectsImpossibleDates(_ text: String) {
        #expect(FieldSpec.normalizeDate(text) == .failure(FieldProblem("must be an ISO 8601 date (YYYY-MM-DD)")))
    }
}

@Suite("Lead validation")
struct LeadValidationTests {
    /// Booleans as text, as forms send them: true/false, yes/no, y/n, 1/0, and a checkbox's on/off.
    @Test func booleansAsText() {
        #expect(FieldSpec.normalizeBoolean("on") == .success(true))
        #expect(FieldSpec.normalizeBoolean(" OFF ") == .success(false))
        #expect(FieldSpec.normalizeBoolean("yes") == .success(true))
        #expect(FieldSpec.normalizeBoolean("0") == .success(false))
        #expect(FieldSpec.normalizeBoolean("maybe") == .failure(FieldProblem("must be true or false")))
    }

    @Test func normalizesEveryKind() throws {
        let normalized = try success(
            sampleVertical.validate(fields: [
                "zip": "94105", "state": "ca", "name": " Ada Lovelace ", "phone": "(415) 555-0100",
                "email": "Ada@Example.com", "birth_date": "1990-05-17T08:00:00Z", "age": "34", "income": "52000.50",
                "score": dec("10.5"), "homeowner": "yes", "credit": "EXCELLENT", "comment": "call after 5",
            ]))
        let expected: [String: JSONValue] = [
            "zip": "94105", "state": "CA", "name": "Ada Lovelace", "phone": "4155550100", "email": "ada@example.com",
            "birth_date": "1990-05-17", "age": 34, "income": .number(try num("52000.5")), "score": .number(try num("10.5")),
            "homeowner": true, "credit": "Excellent", "comment": "call after 5",
        ]
        #expect(normalized == expected)
    }

    @Test func reportsEveryFieldErrorAtOnce() {
        let result = sampleVertical.validate(fields: [
            "state": "ZZ", "phone": "411-555-0100", "email": "not-an-email", "birth_date": "2023-02-29", "age": 17,
            "income": -1, "score": dec("10.51"), "homeowner": "maybe", "credit": "bad", "favorite_color": "red", "ssn": "078-05-1120",
        ])
        #expect(
            errorPaths(result) == [
                "fields.zip", "fields.name", "fields.state", "fields.phone", "fields.email", "fields.birth_date",
                "fields.age", "fields.income", "fields.score", "fields.homeowner", "fields.credit",
                "fields.favorite_color", "fields.ssn",
            ])
        #expect(fieldErrors(result).count == 13)
        #expect(message(result, at: "fields.zip") == "is required")
        #expect(message(result, at: "fields.age") == "must be at least 18")
        #expect(message(result, at: "fields.score") == "must be at most 10.5")
        #expect(message(result, at: "fields.income") == "must be at least 0")
        #expect(message(result, at: "fields.credit") == "must be one of Excellent, good")
        #expect(message(result, at: "fields.ssn") == "is not a field of vertical 'sample'")
    }

    static let integerCases: [(JSONValue, JSONValue?)] = [
        (30, 30),
        ("30", 30),
        (" 30 ", 30),
        (dec("30.0"), 30),
        ("3e1", 30),
        (18, 18),
        (99, 99),
        (17, nil),
        (100, nil),
        (dec("30.5"), nil),
        ("thirty", nil),
        (true, nil),
        ("30 years", nil),
        ([30], nil),
    ]

    @Test(arguments: integerCases)
    func integerFields(_ value: JSONValue, _ expected: JSONValue?) {
        let result = sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "age": value])
        switch result {
        case .success(let fields): #expect(fields["age"] == expected)
        case .failure: #expect(expected == nil, "\(fieldErrors(result))")
        }
    }

    @Test func integerFieldMessages() {
        func problem(_ value: JSONValue) -> String? {
            message(sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "age": value]), at: "fields.age")
        }
        #expect(problem(dec("30.5")) == "must be an integer")
        #expect(problem("thirty") == "must be a number")
        #expect(problem(true) == "must be an integer")
        #expect(problem(100) == "must be at most 99")
    }

    @Test func numberFieldsAreExact() throws {
        let normalized = try success(
            sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "income": "0.1", "score": "-2.50"]))
        #expect(normalized["income"] == .number(try num("0.1")))
        #expect(normalized["score"] == .number(try num("-2.5")))
        let bad = sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "income": false])
        #expect(message(bad, at: "fields.income") == "must be a number")
    }

    @Test(arguments: [
        (JSONValue(true), true), (false, false), ("yes", true), ("no", false), ("Y", true), ("n", false),
        ("TRUE", true), ("False", false), ("1", true), ("0", false), (" yes ", true), ("No", false),
    ])
    func booleanFields(_ value: JSONValue, _ expected: Bool) throws {
        let normalized = try success(sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "homeowner": value]))
        #expect(normalized["homeowner"] == .bool(expected))
    }

    @Test(arguments: [JSONValue("maybe"), 1, "nope", "t", [true], ["a": true]])
    func booleanFieldsRejectOtherValues(_ value: JSONValue) {
        let result = sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "homeowner": value])
        #expect(message(result, at: "fields.homeowner") == "must be true or false")
    }

    @Test(arguments: [
        ("excellent", "Excellent"), ("EXCELLENT", "Excellent"), ("Excellent", "Excellent"), ("GOOD", "good"),
        (" good ", "good"),
    ])
    func enumMatchesCaseInsensitivelyToTheCanonicalValue(_ text: String, _ expected: String) throws {
        let normalized = try success(sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "credit": .string(text)]))
        #expect(normalized["credit"] == .string(expected))
    }

    @Test func enumPrefersAnExactMatch() {
        let spec = FieldSpec("size", .enum, values: ["a", "A"])
        #expect(spec.normalize("A") == .success("A"))
        #expect(spec.normalize("a") == .success("a"))
        let numeric = FieldSpec("count", .enum, values: ["1", "2", "true"])
        #expect(numeric.normalize(2) == .success("2"))
        #expect(numeric.normalize(true) == .success("true"))
        #expect(numeric.normalize(3) == .failure(FieldProblem("must be one of 1, 2, true")))
        #expect(numeric.normalize(.null) == .failure(FieldProblem("must be one of 1, 2, true")))
    }

    @Test(arguments: [JSONValue.null, "", "   ", "\t\n"])
    func blankRequiredFieldsAreMissing(_ value: JSONValue) {
        let result = sampleVertical.validate(fields: ["zip": "94105", "name": value])
        #expect(fieldErrors(result) == [FieldError(field: "fields.name", message: "is required")])
    }

    @Test func blankOptionalFieldsAreDropped() throws {
        let normalized = try success(
            sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "comment": "  ", "state": "", "age": .null]))
        #expect(normalized == ["zip": "94105", "name": "Ada"])
    }

    @Test func stringsAreTrimmedAndLimited() {
        let spec = FieldSpec("comment", .string)
        #expect(spec.normalize(" \tx y\n") == .success("x y"))
        #expect(spec.normalize(.string(String(repeating: "a", count: 1_000))) == .success(.string(String(repeating: "a", count: 1_000))))
        #expect(spec.normalize(.string(String(repeating: "a", count: 1_001))) == .failure(FieldProblem("must be at most 1000 bytes")))
        #expect(spec.normalize(5) == .failure(FieldProblem("must be a string")))
    }

    @Test func unknownFieldsAreRefusedByName() {
        let result = sampleVertical.validate(fields: ["zip": "94105", "name": "Ada", "Zip": "1", "ip_address": "10.0.0.1"])
        #expect(errorPaths(result) == ["fields.Zip", "fields.ip_address"])
    }

    @Test func pingModeRefusesPersonalFieldsAndDoesNotRequireThem() throws {
        let ping = sampleVertical.validate(fields: ["zip": "94105", "age": 30], mode: .ping)
        #expect(try success(ping) == ["zip": "94105", "age": 30])

        let withPII = sampleVertical.validate(
            fields: ["zip": "94105", "name": "Ada", "phone": "4155550100", "email": "bad"], mode: .ping)
        #expect(errorPaths(withPII) == ["fields.name", "fields.phone", "fields.email"])
        #expect(message(withPII, at: "fields.phone") == "is personal data and is not accepted in a ping")
        #expect(message(withPII, at: "fields.email") == "is personal data and is not accepted in a ping")

        let missingZip = sampleVertical.validate(fields: ["age": 30], mode: .ping)
        #expect(errorPaths(missingZip) == ["fields.zip"])

        let full = sampleVertical.validate(fields: ["zip": "94105", "age": 30], mode: .full)
        #expect(errorPaths(full) == ["fields.name"])
    }

    @Test func nonPersonalStripsPII() throws {
        let vertical = BuiltInVerticals.autoInsurance
        let fields = try success(
            vertical.validate(fields: [
                "zip": "94105", "state": "CA", "age": 34, "first_name": "Ada", "last_name": "Lovelace",
                "phone": "4155550100", "email": "ada@example.com", "street_address": "1 Main St",
                "birth_date": "1990-05-17", "city": "San Francisco",
            ]))
        #expect(vertical.nonPersonal(fields) == ["zip": "94105", "state": "CA", "age": 34, "city": "San Francisco"])
    }

    @Test func contactHashInputsUseE164DigitsAndLowerCaseEmail() throws {
        let vertical = BuiltInVerticals.solar
        let fields = try success(
            vertical.validate(fields: [
                "zip": "94105", "state": "CA", "homeowner": true, "first_name": "Ada", "last_name": "L",
                "phone": "(415) 555-0100", "email": "ADA@example.com",
            ]))
        let inputs = ContactKeys.hashInputs(fields: fields, vertical: vertical)
        #expect(inputs.phones == ["14155550100"])
        #expect(inputs.emails == ["ada@example.com"])
        let keys = ContactKeys(phoneHashes: ["p"], emailHashes: ["e"])
        #expect(keys.all == ["p", "e"])
        #expect(!keys.isEmpty)
        #expect(ContactKeys().isEmpty)
    }
}

@Suite("Built-in verticals")
struct BuiltInVerticalTests {
    static let personal: Set<String> = ["first_name", "last_name", "phone", "email", "street_address", "birth_date"]

    @Test func shipsTheFourContractVerticals() {
        #expect(BuiltInVerticals.all.map(\.id) == ["auto_insurance", "health_insurance", "mortgage", "solar"])
    }

    @Test(arguments: BuiltInVerticals.all)
    func personalFieldsAreMarked(_ vertical: Vertical) throws {
        for name in ["first_name", "last_name", "phone", "email", "street_address"] {
            let spec = try #require(vertical.field(named: name), "\(vertical.id) lacks \(name)")
            #expect(spec.pii, "\(vertical.id).\(name) must be personal")
        }
        if let birthDate = vertical.field(named: "birth_date") {
            #expect(birthDate.pii, "\(vertical.id).birth_date must be personal")
        }
        #expect(vertical.piiFieldNames.isSubset(of: Self.personal))
        #expect(vertical.piiFieldNames.isSuperset(of: ["first_name", "last_name", "phone", "email", "street_address"]))
    }

    @Test(arguments: BuiltInVerticals.all)
    func locationFieldsAreRequiredNonPersonalAndFormatted(_ vertical: Vertical) throws {
        let zip = try #require(vertical.field(named: "zip"))
        let state = try #require(vertical.field(named: "state"))
        #expect(!zip.pii && !state.pii)
        #expect(zip.required && state.required)
        #expect(zip.format == .zip)
        #expect(state.format == .usState)
    }

    @Test(arguments: BuiltInVerticals.all)
    func schemaIsWellFormed(_ vertical: Vertical) {
        let names = vertical.fields.map(\.name)
        #expect(Set(names).count == names.count, "duplicate field names")
        #expect(names.allSatisfy(Identifier.isValid))
        #expect(vertical.fields.allSatisfy { ($0.kind == .enum) == !$0.values.isEmpty })
        #expect(vertical.floor > .zero)
        #expect(vertical.maxSales >= 1)
    }

    @Test(arguments: BuiltInVerticals.all)
    func aTypicalLeadValidatesAndItsPingIsTheNonPersonalPart(_ vertical: Vertical) throws {
        var fields: [String: JSONValue] = [
            "zip": "94105", "state": "ca", "first_name": "Ada", "last_name": "Lovelace", "phone": "+1 (415) 555-0100",
            "email": "ADA@example.com", "street_address": "1 Main St",
        ]
        // Fill the other required fields with a valid value.
        for spec in vertical.fields where spec.required && fields[spec.name] == nil {
            switch spec.kind {
            case .enum: fields[spec.name] = .string(spec.values[0])
            case .boolean: fields[spec.name] = true
            default: Issue.record("unexpected required field \(spec.name)")
            }
        }
        let full = try success(vertical.validate(fields: fields))
        #expect(full["state"] == "CA")
        #expect(full["phone"] == "4155550100")
        #expect(full["email"] == "ada@example.com")
        let ping = vertical.nonPersonal(full)
        #expect(ping["phone"] == nil && ping["first_name"] == nil && ping["email"] == nil)
        #expect(try success(vertical.validate(fields: ping, mode: .ping)) == ping)
    }

    @Test func floorsAndMaxSales() {
        #expect(BuiltInVerticals.autoInsurance.floor == cents(200))
        #expect(BuiltInVerticals.healthInsurance.floor == cents(300))
        #expect(BuiltInVerticals.mortgage.floor == cents(500))
        #expect(BuiltInVerticals.solar.floor == cents(500))
        #expect(BuiltInVerticals.mortgage.field(named: "loan_purpose")?.required == true)
        #expect(BuiltInVerticals.solar.field(named: "homeowner")?.required == true)
    }
}

@Suite("Lead submissions")
struct SubmissionParsingTests {
    @Test func parsesALeadBody() throws {
        let body = try json(
            #"{"vertical": "auto_insurance", "source": "fb-spring-7", "test": true, "fields": {"zip": "94105"}, "consent": {"tcpa_text": "ok"}}"#
        )
        let submission = try success(LeadSubmission.parse(body))
        #expect(submission.vertical == "auto_insurance")
        #expect(submission.source == "fb-spring-7")
        #expect(submission.test)
        #expect(submission.fields == ["zip": "94105"])
        #expect(submission.consent == ["tcpa_text": "ok"])
    }

    @Test func reportsEveryProblemOfALeadBody() throws {
        let body = try json(#"{"source": 7, "test": "no", "fields": [1], "consent": "yes", "extra": 1}"#)
        let result = LeadSubmission.parse(body)
        #expect(errorPaths(result) == ["vertical", "source", "test", "fields", "consent", "extra"])
        #expect(errorPaths(LeadSubmission.parse([1])) == ["body"])
    }

    @Test func parsesAPostBody() throws {
        let body = try json(#"{"ping_id": "P1", "fields": {"phone": "4155550100"}}"#)
        let post = try success(PostSubmission.parse(body))
        #expect(post.pingID == "P1")
        #expect(post.consent == .null)
        let bad = PostSubmission.parse(try json(#"{"fields": 1, "other": true}"#))
        #expect(errorPaths(bad) == ["ping_id", "fields", "other"])
    }
}
