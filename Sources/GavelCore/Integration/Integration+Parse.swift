extension Integration {
    /// What a secret looks like whenever an integration is read.
    public static let maskedSecret = "********"

    /// Reads an integration from its wire form (`delivery.integration`), recording every
    /// problem with its full path. A secret given as the mask is kept empty for the caller to
    /// fill from the stored campaign. Checks that need the vertical are in
    /// ``problems(vertical:)``.
    public static func parse(_ reader: JSONReader) -> Integration {
        reader.rejectUnknown(["secrets", "ping", "post", "sign"])
        var integration = Integration(sign: reader.bool("sign") ?? false)
        integration.secrets = parseSecrets(reader)
        integration.ping = reader.object("ping").map { Call.parse($0, role: .ping) }
        integration.post = reader.object("post").map { Call.parse($0, role: .post) }
        if reader.value("ping") == nil && reader.value("post") == nil {
            reader.fail("ping", "an integration needs a ping or a post call (or leave it out for the native protocol)")
        }
        integration.checkReferences(reader)
        return integration
    }

    private static func parseSecrets(_ reader: JSONReader) -> [String: String] {
        guard let secrets = reader.object("secrets") else { return [:] }
        var result: [String: String] = [:]
        for name in secrets.members.keys.sorted() {
            if !Identifier.isValid(name) { secrets.fail(name, "a secret's name must be 1-64 letters, digits, '_', '-', '.' or ':'") }
            guard let value = secrets.string(name, maxLength: 2_000) else {
                if secrets.value(name) == nil { secrets.fail(name, "must be a string") }
                continue
            }
            result[name] = value == maskedSecret ? "" : value
        }
        return result
    }

    /// Secrets and captures that are referenced must exist.
    private func checkReferences(_ reader: JSONReader) {
        let captures = Set(ping?.response.captures.keys.map { $0 } ?? [])
        for (role, call) in [("ping", ping), ("post", post)] {
            for (place, reference) in call?.references ?? [] {
                let path = reader.path(role) + "." + place
                switch reference {
                case .secret(let name) where secrets[name] == nil:
                    reader.log.add(path, "'\(reference.text)' is not one of the integration's secrets")
                case .capture(let name) where role == "post" && !captures.contains(name):
                    reader.log.add(path, "'\(reference.text)' is not captured by the ping's response rules")
                default: break
                }
            }
        }
    }
}

extension Integration.Call {
    /// Which call is being read, for the rules that differ.
    enum Role: String {
        case ping, post
    }

    /// Reads a call; one with a bad URL is still returned (its URL empty, the error recorded)
    /// so that its members and references are checked too.
    static func parse(_ reader: JSONReader, role: Role) -> Self {
        reader.rejectUnknown(["method", "url", "encoding", "xml_root", "headers", "auth", "query", "body", "response", "lower_price"])
        let method = reader.choice("method", Integration.Method.self) ?? .post
        let url = readURL(reader)
        let encoding = reader.choice("encoding", Integration.Encoding.self) ?? (method == .get ? .none : .json)
        let xmlRoot = reader.string("xml_root", maxLength: 100)
        var call = Self(method: method, url: url ?? StringTemplate(literal: ""), encoding: encoding, xmlRoot: xmlRoot)
        call.headers = readHeaders(reader)
        call.auth = reader.object("auth").flatMap(readAuth)
        call.query = FieldMapping.parseList(reader, "query", encoding: .form)
        call.body = FieldMapping.parseList(reader, "body", encoding: encoding)
        call.response = reader.object("response", required: true).map { ResponseRules.parse($0, role: role) } ?? ResponseRules()
        call.lowerPrice = reader.choice("lower_price", Integration.LowerPrice.self) ?? .accept
        call.checkShape(reader, role: role)
        return call
    }

    /// Method, encoding, body and XML root agree; the header and auth rules hold.
    private func checkShape(_ reader: JSONReader, role: Role) {
        if method == .get && encoding != .none { reader.fail("encoding", "a GET has no body: use 'none' and put the values in query") }
        if encoding == .none && !body.isEmpty { reader.fail("body", "encoding 'none' sends no body: put the values in query") }
        if encoding != .none && body.isEmpty { reader.fail("body", "needs at least one member (or use encoding 'none')") }
        if encoding == .xml {
            if let xmlRoot {
                if !XMLWriter.isValidName(xmlRoot) { reader.fail("xml_root", "must be an XML element name") }
            } else {
                reader.fail("xml_root", "an XML body needs its root element's name")
            }
        } else if xmlRoot != nil {
            reader.fail("xml_root", "only an XML body has a root element")
        }
        if role == .ping && reader.value("lower_price") != nil { reader.fail("lower_price", "only a post confirms a price") }
        if auth != nil && headers.contains(where: { $0.name.lowercased() == "authorization" }) {
            reader.fail("headers", "give Authorization either as a header or as auth, not both")
        }
        if encoding != .none { BodyLayout.checkConflicts(body, encoding: encoding, path: reader.path("body"), log: reader.log) }
    }

    private static func readURL(_ reader: JSONReader) -> StringTemplate? {
        guard let text = reader.string("url", required: true, maxLength: 2_000) else { return nil }
        switch StringTemplate.parse(text) {
        case .failure(let error):
            reader.fail("url", error.description)
            return nil
        case .success(let template):
            guard Identifier.isHTTPURL(template.staticPrefixURL), template.placeholdersFollowHost else {
                reader.fail("url", "must be an absolute http or https URL whose host is written out (placeholders only after it)")
                return nil
            }
            return template
        }
    }

    static let forbiddenHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "expect", "upgrade"]

    private static func readHeaders(_ reader: JSONReader) -> [Integration.Header] {
        guard let headers = reader.object("headers") else { return [] }
        return headers.members.keys.sorted().compactMap { name in
            guard HTTPToken.isValid(name), !forbiddenHeaders.contains(name.lowercased()) else {
                headers.fail(name, "is not a header the exchange may set")
                return nil
            }
            return headers.template(name, required: true).map { Integration.Header(name: name, value: $0) }
        }
    }

    private static func readAuth(_ reader: JSONReader) -> Integration.Auth? {
        switch reader.string("type", required: true) {
        case "basic":
            reader.rejectUnknown(["type", "username", "password"])
            guard let user = reader.template("username", required: true), let password = reader.template("password", required: true)
            else { return nil }
            return .basic(username: user, password: password)
        case "bearer":
            reader.rejectUnknown(["type", "token"])
            return reader.template("token", required: true).map { .bearer($0) }
        case nil: return nil
        default:
            reader.fail("type", "must be 'basic' or 'bearer' (send an API key as a header, a query parameter or a body member)")
            return nil
        }
    }
}

extension StringTemplate {
    /// The URL with every placeholder left empty: what the SSRF guard checks.
    public var staticPrefixURL: String {
        parts.map { if case .literal(let text) = $0 { text } else { "" } }.joined()
    }

    /// Whether every placeholder comes after the scheme and host (so the host is fixed).
    var placeholdersFollowHost: Bool {
        guard case .literal(let head)? = parts.first else { return parts.isEmpty }
        if parts.count == 1 { return true }
        guard let scheme = head.range(of: "://") else { return false }
        return head[scheme.upperBound...].contains { $0 == "/" || $0 == "?" }
    }
}

extension JSONReader {
    /// A string member read as a ``StringTemplate``.
    public func template(_ key: String, required: Bool = false, maxLength: Int = 2_000) -> StringTemplate? {
        guard let text = string(key, required: required, maxLength: maxLength) else { return nil }
        switch StringTemplate.parse(text) {
        case .success(let template): return template
        case .failure(let error):
            fail(key, error.description)
            return nil
        }
    }
}

/// HTTP header names: RFC 9110 tokens.
enum HTTPToken {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 100 && name.utf8.allSatisfy(isTokenByte)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
