/// One HTTP header.
public struct HeaderField: Sendable, Hashable {
    /// Its name.
    public var name: String
    /// Its value.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One HTTP request to a buyer, built from an integration's call and a lead (or from the
/// native protocol): ready to send.
public struct RenderedRequest: Sendable, Hashable {
    /// A header.
    public typealias Field = HeaderField

    /// `GET`, `POST` or `PUT`.
    public var method: String
    /// The full URL, query included.
    public var url: String
    /// The headers, in order (`Content-Type` among them when there is a body).
    public var headers: [Field]
    /// The body's bytes.
    public var body: [UInt8]
    /// The secret values the request carries, so a trace can mask them.
    public var secrets: [String]
    /// Headers whose whole value is masked in a trace (credentials).
    public var sensitiveHeaders: Set<String>

    /// Creates a request.
    public init(
        method: String, url: String, headers: [Field] = [], body: [UInt8] = [], secrets: [String] = [],
        sensitiveHeaders: Set<String> = []
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.secrets = secrets
        self.sensitiveHeaders = sensitiveHeaders
    }

    /// The first header of a name, in any case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The request as it may be shown: every secret (also percent-encoded) and every
    /// credential header replaced by `********`.
    public func masked() -> RenderedRequest {
        var copy = self
        copy.url = mask(url)
        copy.headers = headers.map { field in
            sensitiveHeaders.contains(field.name.lowercased())
                ? Field(name: field.name, value: Integration.maskedSecret) : Field(name: field.name, value: mask(field.value))
        }
        copy.body = Array(mask(String(decoding: body, as: UTF8.self)).utf8)
        copy.secrets = []
        return copy
    }

    /// Text with each secret (longest first, also in its percent-encoded forms) masked.
    public func mask(_ text: String) -> String {
        var out = text
        for secret in secrets.filter({ !$0.isEmpty }).sorted(by: { $0.count > $1.count }) {
            for form in Set([secret, Encodings.percent(secret), Encodings.percent(secret, spaceAsPlus: true), XMLWriter.escapeText(secret)])
            {
                out = out.replacingAll(form, with: Integration.maskedSecret)
            }
        }
        return out
    }
}

extension String {
    /// The text with every occurrence of `target` replaced.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }

    private func components(separatedBy separator: String) -> [Substring] {
        var pieces: [Substring] = []
        var rest = self[...]
        while let range = rest.range(of: separator) {
            pieces.append(rest[..<range.lowerBound])
            rest = rest[range.upperBound...]
        }
        pieces.append(rest)
        return pieces
    }
}

extension Integration.Call {
    /// The request for a lead: URL and query, headers, credentials and body, filled from
    /// `values` (only the values the mappings name are sent).
    public func render(_ values: CallValues) -> RenderedRequest {
        var request = RenderedRequest(method: method.rawValue, url: renderURL(values))
        request.secrets = Array(values.secrets.values)
        appendBody(values, to: &request)
        for header in headers {
            request.headers.append(.init(name: header.name, value: Self.headerSafe(header.value.render(values))))
            if header.value.references.contains(where: { if case .secret = $0 { true } else { false } }) {
                request.sensitiveHeaders.insert(header.name.lowercased())
            }
        }
        if let auth { request.headers.append(.init(name: "Authorization", value: Self.headerSafe(Self.authorization(auth, values)))) }
        if auth != nil { request.sensitiveHeaders.insert("authorization") }
        return request
    }

    private func renderURL(_ values: CallValues) -> String {
        let base = url.render(values) { Encodings.percent($0) }
        let pairs = members(query, values).map { ($0.to, $0.value.plainText) }
        guard !pairs.isEmpty else { return base }
        return base + (base.contains("?") ? "&" : "?") + Encodings.form(pairs, spaceAsPlus: false)
    }

    private func members(_ mappings: [FieldMapping], _ values: CallValues) -> [(to: String, path: ValuePath, value: JSONValue)] {
        mappings.compactMap { mapping in mapping.value(values).map { (mapping.to, mapping.path, $0) } }
    }

    private func appendBody(_ values: CallValues, to request: inout RenderedRequest) {
        let members = members(body, values)
        let contentType: String
        switch encoding {
        case .none: return
        case .json:
            request.body = JSONWriter.bytes(BodyLayout.json(members.map { ($0.path, $0.value) }).0)
            contentType = "application/json"
        case .form:
            request.body = Array(Encodings.form(members.map { ($0.to, $0.value.plainText) }).utf8)
            contentType = "application/x-www-form-urlencoded"
        case .xml:
            request.body = XMLWriter.document(BodyLayout.xml(root: xmlRoot ?? "request", members.map { ($0.path, $0.value) }).0)
            contentType = "application/xml; charset=utf-8"
        }
        if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            request.headers.append(.init(name: "Content-Type", value: contentType))
        }
    }

    private static func authorization(_ auth: Integration.Auth, _ values: CallValues) -> String {
        switch auth {
        case .basic(let user, let password):
            "Basic " + Encodings.base64(Array((user.render(values) + ":" + password.render(values)).utf8))
        case .bearer(let token): "Bearer " + token.render(values)
        }
    }

    /// A header value without control characters (no header injection from a lead's value).
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    }
}
