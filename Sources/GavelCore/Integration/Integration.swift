/// A buyer's own ping/post API described as data (a campaign's `delivery.integration`): how
/// each request is built from a lead and how each answer is read. A campaign without one
/// speaks the native protocol of the wire contract.
///
/// Nothing in an integration runs as code: requests are filled from ``FieldMapping``s and
/// ``StringTemplate``s, answers are read by ``ResponseRules``. A ping may only reference the
/// lead's non-personal fields (checked against the vertical when the campaign is saved).
public struct Integration: Sendable, Hashable {
    /// Write-only values (API keys, passwords) by name, used as `{{$secret.name}}`; masked
    /// whenever the campaign is read and in every trace.
    public var secrets: [String: String]
    /// The ping call (remote campaigns only); `nil` pings with the native protocol.
    public var ping: Call?
    /// The post call; `nil` posts with the native protocol (or to the inbox without a URL).
    public var post: Call?
    /// Whether calls also carry the native `X-Gavel-Timestamp`/`X-Gavel-Signature` headers.
    public var sign: Bool

    /// Creates an integration.
    public init(secrets: [String: String] = [:], ping: Call? = nil, post: Call? = nil, sign: Bool = false) {
        self.secrets = secrets
        self.ping = ping
        self.post = post
        self.sign = sign
    }
}

extension Integration {
    /// The HTTP methods a call may use.
    public enum Method: String, Sendable, Hashable, CaseIterable {
        /// `GET`: the values go in the query string.
        case get = "GET"
        /// `POST`.
        case post = "POST"
        /// `PUT`.
        case put = "PUT"
    }

    /// How the body is written.
    public enum Encoding: String, Sendable, Hashable, CaseIterable {
        /// A JSON object (`application/json`); dotted names nest.
        case json
        /// `application/x-www-form-urlencoded` pairs, names as written.
        case form
        /// An XML document (`application/xml`) under `xml_root`; dotted names nest, `@name` is
        /// an attribute.
        case xml
        /// No body (the values go in `query`).
        case none
    }

    /// Credentials sent in the `Authorization` header.
    public enum Auth: Sendable, Hashable {
        /// HTTP Basic with a user name and a password.
        case basic(username: StringTemplate, password: StringTemplate)
        /// `Bearer <token>`.
        case bearer(StringTemplate)
    }

    /// A request header.
    public struct Header: Sendable, Hashable {
        /// Its name.
        public var name: String
        /// Its value.
        public var value: StringTemplate

        /// Creates a header.
        public init(name: String, value: StringTemplate) {
            self.name = name
            self.value = value
        }
    }

    /// What the campaign does when a buyer confirms a lower price than it bid in its post answer.
    public enum LowerPrice: String, Sendable, Hashable, CaseIterable {
        /// The sale stands at the lower price (the buyer is charged it, the seller paid its share).
        case accept
        /// The post counts as rejected (`price_lowered`) and the lead goes on down the cascade.
        case reject
    }

    /// One call to the buyer: the request and how to read its answer.
    public struct Call: Sendable, Hashable {
        /// The method.
        public var method: Method
        /// The URL; placeholders may appear after the host (in the path or query).
        public var url: StringTemplate
        /// How the body is written.
        public var encoding: Encoding
        /// The root element of an XML body.
        public var xmlRoot: String?
        /// Extra headers, in order.
        public var headers: [Header]
        /// Credentials.
        public var auth: Auth?
        /// Query parameters added to the URL, in order.
        public var query: [FieldMapping]
        /// The body's members, in order.
        public var body: [FieldMapping]
        /// How the answer is read.
        public var response: ResponseRules
        /// A post's rule for a lower confirmed price.
        public var lowerPrice: LowerPrice

        /// Creates a call.
        public init(
            method: Method = .post, url: StringTemplate, encoding: Encoding = .json, xmlRoot: String? = nil, headers: [Header] = [],
            auth: Auth? = nil, query: [FieldMapping] = [], body: [FieldMapping] = [], response: ResponseRules = ResponseRules(),
            lowerPrice: LowerPrice = .accept
        ) {
            self.method = method
            self.url = url
            self.encoding = encoding
            self.xmlRoot = xmlRoot
            self.headers = headers
            self.auth = auth
            self.query = query
            self.body = body
            self.response = response
            self.lowerPrice = lowerPrice
        }

        /// Every reference the call makes, wherever it appears, with where (for errors).
        public var references: [(path: String, reference: SourceRef)] {
            var found = url.references.map { ("url", $0) }
            for header in headers { found += header.value.references.map { ("headers.\(header.name)", $0) } }
            switch auth {
            case .basic(let user, let password)?:
                found += (user.references + password.references).map { ("auth", $0) }
            case .bearer(let token)?: found += token.references.map { ("auth", $0) }
            case nil: break
            }
            for (offset, mapping) in query.enumerated() { found += mapping.references.map { ("query[\(offset)]", $0) } }
            for (offset, mapping) in body.enumerated() { found += mapping.references.map { ("body[\(offset)]", $0) } }
            return found
        }
    }
}

/// One member of a mapped request: where it goes (`to`), where its value comes from (a lead
/// field or exchange value, a constant, or a template), a default, and the transform.
public struct FieldMapping: Sendable, Hashable {
    /// Where the value comes from.
    public enum Source: Sendable, Hashable {
        /// A lead field or an exchange value (`from`).
        case reference(SourceRef)
        /// A constant (`value`).
        case constant(JSONValue)
        /// Text with placeholders (`template`), e.g. a full name.
        case template(StringTemplate)
    }

    /// The buyer's name for the member: a path for JSON and XML bodies, a plain name for forms
    /// and query strings.
    public var to: String
    /// `to` as a path (JSON and XML).
    public var path: ValuePath
    /// Where the value comes from.
    public var source: Source
    /// The value used when the source has none.
    public var fallback: JSONValue?
    /// How the value is spelled for the buyer.
    public var transform: ValueTransform

    /// Creates a mapping.
    public init(to: String, path: ValuePath, source: Source, fallback: JSONValue? = nil, transform: ValueTransform = ValueTransform()) {
        self.to = to
        self.path = path
        self.source = source
        self.fallback = fallback
        self.transform = transform
    }

    /// The references the mapping makes.
    public var references: [SourceRef] {
        switch source {
        case .reference(let reference): [reference]
        case .template(let template): template.references
        case .constant: []
        }
    }

    /// The member's value for a lead: the source's value (or the default), transformed;
    /// `nil` leaves the member out.
    public func value(_ values: CallValues) -> JSONValue? {
        let raw: JSONValue?
        switch source {
        case .reference(let reference): raw = values.value(reference)
        case .constant(let value): raw = value
        case .template(let template): raw = template.renderIfAny(values).map(JSONValue.string)
        }
        guard let value = raw ?? fallback, !value.isNull else { return nil }
        return transform.apply(value)
    }
}
