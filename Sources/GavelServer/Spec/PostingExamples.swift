import GavelCore

/// The example requests of a posting guide as curl commands that run unchanged against the
/// server that generated them: the base URL is the request's own, the key is `$GAVEL_KEY`
/// (never a real key), and every lead is a test lead, so trying them charges nothing.
struct PostingExamples: Sendable {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    var baseURL: String
    /// The vertical.
    var vertical: Vertical

    /// The traffic source the examples send.
    static let source = "posting-guide"
    /// The consent evidence the examples send.
    static let consent: [(String, String)] = [
        ("tcpa_text", "By clicking Submit I agree to be contacted about my quote by phone, text and email."),
        ("trustedform_cert_url", "https://cert.trustedform.com/0123456789abcdef0123456789abcdef01234567"),
        ("leadid_token", "00000000-0000-4000-8000-000000000000"),
    ]

    /// A complete lead: every field of the vertical with a valid value.
    var fields: [String: JSONValue] { SampleLead.fields(for: vertical) }

    /// The fields in the vertical's order.
    private var orderedFields: [(String, JSONValue)] {
        vertical.fields.compactMap { spec in fields[spec.name].map { (spec.name, $0) } }
    }

    /// The same fields without the personal ones, as a ping carries them.
    private var pingFields: [(String, JSONValue)] {
        orderedFields.filter { name, _ in !vertical.piiFieldNames.contains(name) }
    }

    /// `POST /v1/leads` with a JSON body.
    var jsonLead: String {
        curl("/v1/leads", json: envelope(fields: orderedFields, consent: true))
    }

    /// `POST /v1/leads` as a form.
    var formLead: String {
        let envelope = [("vertical", vertical.id), ("source", Self.source), ("test", "true")]
        return curl("/v1/leads", form: envelope + formFields(orderedFields) + Self.consent)
    }

    /// `POST /v1/ping` with a JSON body: the non-personal fields.
    var jsonPing: String {
        curl("/v1/ping", json: envelope(fields: pingFields, consent: false))
    }

    /// `POST /v1/post` as a form, for the ping whose id is in `$PING_ID`.
    var formPost: String {
        var lines = header("/v1/post")
        lines.append("--data-urlencode \"ping_id=$PING_ID\"")
        lines += (formFields(orderedFields) + Self.consent).map { "--data-urlencode " + Shell.quote("\($0.0)=\($0.1)") }
        return Self.join(lines)
    }

    /// The JSON body of a lead or ping, keys in reading order.
    private func envelope(fields: [(String, JSONValue)], consent: Bool) -> OrderedJSON {
        var members: [(String, OrderedJSON)] = [
            ("vertical", .value(.string(vertical.id))), ("source", .value(.string(Self.source))), ("test", .value(.bool(true))),
            ("fields", .object(fields.map { ($0.0, .value($0.1)) })),
        ]
        if consent { members.append(("consent", .object(Self.consent.map { ($0.0, .value(.string($0.1))) }))) }
        return .object(members)
    }

    /// Fields as form pairs: text values, a field named like an envelope or consent member
    /// written `fields[name]`.
    private func formFields(_ fields: [(String, JSONValue)]) -> [(String, String)] {
        fields.map { name, value in
            let key = SellerForm.place(name, route: .post) == .field(name) ? name : "fields[\(name)]"
            return (key, Self.formText(value))
        }
    }

    /// A JSON value as form text.
    static func formText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.description
        default: JSONWriter.string(value)
        }
    }

    private func curl(_ path: String, json: OrderedJSON) -> String {
        var lines = header(path)
        lines.append("-H 'Content-Type: application/json'")
        lines.append("-d " + Shell.quote(json.pretty()))
        return Self.join(lines)
    }

    private func curl(_ path: String, form: [(String, String)]) -> String {
        Self.join(header(path) + form.map { "--data-urlencode " + Shell.quote("\($0.0)=\($0.1)") })
    }

    private func header(_ path: String) -> [String] {
        ["curl -sS " + Shell.quote(baseURL + path), "-H \"Authorization: Bearer $GAVEL_KEY\""]
    }

    /// One command over several lines.
    private static func join(_ lines: [String]) -> String {
        lines.joined(separator: " \\\n  ")
    }
}

/// Quoting for POSIX shells.
enum Shell {
    /// `text` as one single-quoted word (a `'` inside becomes `'\''`).
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// JSON whose object members keep the order they were given, written indented for people.
enum OrderedJSON: Sendable {
    /// Any value, written with sorted keys.
    case value(JSONValue)
    /// An object in member order.
    case object([(String, OrderedJSON)])

    /// The indented text (two spaces per level).
    func pretty(indent: String = "") -> String {
        switch self {
        case .value(.object(let members)):
            let sorted = members.keys.sorted().map { key -> (String, OrderedJSON) in (key, OrderedJSON.value(members[key]!)) }
            return OrderedJSON.object(sorted).pretty(indent: indent)
        case .value(.array(let elements)) where !elements.isEmpty:
            let inner = indent + "  "
            return "[\n" + elements.map { inner + OrderedJSON.value($0).pretty(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .value(let value): return JSONWriter.string(value)
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let inner = indent + "  "
            let lines = members.map { key, value in inner + JSONWriter.string(.string(key)) + ": " + value.pretty(indent: inner) }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        }
    }
}
