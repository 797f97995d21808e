import GavelCore

/// A request to a foreign buyer, as the shapes read it.
struct ForeignRequest: Sendable {
    var method: String
    var query: [(name: String, value: String)]
    var headers: [String: String]
    var body: [UInt8]

    /// The form body's members, when it is form-encoded.
    var form: [(name: String, value: String)] {
        guard headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return [] }
        return FormDecoding.pairs(String(decoding: body, as: UTF8.self))
    }

    func formValue(_ name: String) -> String? { form.first { $0.name == name }?.value }
}

/// What a foreign buyer answers.
struct ForeignAnswer: Sendable, Hashable {
    var status: Int
    var contentType: String
    var body: String
}

/// A foreign buyer's changing state: its behavior, the ids it issued and the tokens a post may
/// still use (each once), with the price bid on each.
struct ForeignBuyerState: Sendable {
    var shape: ForeignShape
    var behavior: ForeignBuyer.Behavior
    var issued = 0
    var open: [String: Money] = [:]

    mutating func issue(_ prefix: String, price: Money) -> String {
        issued += 1
        let token = prefix + String(100_000 + issued)
        open[token] = price
        return token
    }

    /// Takes a token for a post; `nil` when unknown or used.
    mutating func redeem(_ token: String?) -> Money? {
        guard let token else { return nil }
        return open.removeValue(forKey: token)
    }
}

/// How each foreign shape checks requests and answers them: pure functions of the request and
/// the buyer's state.
enum ForeignShapes {
    static func answer(_ kind: ForeignBuyer.Received.Kind, _ request: ForeignRequest, state: inout ForeignBuyerState) -> ForeignAnswer {
        switch (state.shape, kind) {
        case (.medicare, .ping): Medicare.ping(request, &state)
        case (.medicare, .post): Medicare.post(request, &state)
        case (.leadProsper, .ping): LeadProsper.ping(request, &state)
        case (.leadProsper, .post): LeadProsper.post(request, &state)
        case (.xmlGet, .ping): XMLGet.ping(request, &state)
        case (.xmlGet, .post): XMLGet.post(request, &state)
        case (.nestedXML, .ping): NestedXML.ping(request, &state)
        case (.nestedXML, .post): NestedXML.post(request, &state)
        }
    }

    static func json(_ value: JSONValue, status: Int = 200) -> ForeignAnswer {
        ForeignAnswer(status: status, contentType: "application/json", body: JSONWriter.string(value))
    }

    static func xml(_ body: String, status: Int = 200, type: String = "text/xml; charset=utf-8") -> ForeignAnswer {
        ForeignAnswer(status: status, contentType: type, body: body)
    }

    /// The text of the first element named `name` in a tree.
    static func find(_ name: String, in element: XMLElement) -> String? {
        if element.name == name || element.localName == name { return element.text }
        for child in element.elements {
            if let found = find(name, in: child) { return found }
        }
        return nil
    }

    static func isDigits(_ text: String?, count: Int) -> Bool {
        guard let text else { return false }
        return text.count == count && text.allSatisfy(\.isASCIIDigitCharacter)
    }

    /// The contact fields every post needs, by the buyer's names; the first missing one.
    static func missing(_ names: [String], in value: (String) -> String?) -> String? {
        names.first { (value($0) ?? "").isEmpty }
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}

/// Shape 1: JSON with a bearer token and an auction id.
enum Medicare {
    static func failure(_ details: String, status: Int = 200) -> ForeignAnswer {
        ForeignShapes.json(["response": "failure", "details": .string(details)], status: status)
    }

    static func authorized(_ request: ForeignRequest, _ state: ForeignBuyerState) -> Bool {
        request.headers["authorization"] == "Bearer \(state.behavior.credentials.token)"
    }

    static func ping(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        guard authorized(request, state) else { return failure("Unauthorized", status: 401) }
        guard let body = (try? JSONParser.parse(request.body))?.objectValue else { return failure("Invalid body") }
        if let invalid = invalidMember(body, vendor: state.behavior.credentials.vendorID) { return failure("Invalid \(invalid)") }
        guard let bid = state.behavior.bid else { return failure("Quota Reached") }
        let token = state.issue("", price: bid)
        return ForeignShapes.json([
            "response": "success", "leadAuctionId": .number(Number(text: token)!), "bid": bid.json, "details": "Thank You",
        ])
    }

    private static func invalidMember(_ body: [String: JSONValue], vendor: String) -> String? {
        if body["vendorId"]?.stringValue != vendor { return "vendorId" }
        if body["zip"]?.numberValue == nil { return "zip" }
        let birthday = body["birthday"]?.stringValue ?? ""
        let parts = birthday.split(separator: "/", omittingEmptySubsequences: false)
        if parts.map(\.count) != [2, 2, 4] || !parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) }) { return "birthday" }
        if !["Y", "N"].contains(body["tobacco"]?.stringValue ?? "") { return "tobacco" }
        if !["M", "F"].contains(body["gender"]?.stringValue ?? "") { return "gender" }
        if body["src"]?.stringValue == nil { return "src" }
        return nil
    }

    static func post(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        guard authorized(request, state) else { return failure("Unauthorized", status: 401) }
        guard let body = (try? JSONParser.parse(request.body))?.objectValue else { return failure("Invalid body") }
        guard let id = body["leadAuctionId"]?.numberValue, state.redeem(id.description) != nil else {
            return failure("Unknown leadAuctionId")
        }
        if let missing = ForeignShapes.missing(["firstName", "lastName", "email", "phone"], in: { body[$0]?.stringValue }) {
            return failure("Missing \(missing)")
        }
        guard ForeignShapes.isDigits(body["phone"]?.stringValue, count: 10) else { return failure("Invalid phone") }
        switch state.behavior.postOutcome {
        case .accept: return ForeignShapes.json(["response": "success"])
        case .duplicate: return failure("Duplicate")
        case .reject(let reason): return failure(reason)
        }
    }
}

/// Shape 2: form-encoded requests with the key in the body, JSON answers with a status word.
enum LeadProsper {
    static func error(_ message: String, leadID: String? = nil) -> ForeignAnswer {
        var members: [String: JSONValue] = ["status": "ERROR", "message": .string(message)]
        if let leadID { members["lead_id"] = .string(leadID) }
        return ForeignShapes.json(.object(members))
    }

    static func credentialProblem(_ request: ForeignRequest, _ state: ForeignBuyerState) -> String? {
        if request.formValue("lp_campaign_id") != state.behavior.credentials.campaignID { return "Invalid lp_campaign_id" }
        if request.formValue("lp_key") != state.behavior.credentials.key { return "Invalid lp_key" }
        return nil
    }

    static func ping(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        if let problem = credentialProblem(request, state) { return error(problem) }
        guard ForeignShapes.isDigits(request.formValue("zip_code"), count: 5) else { return error("Invalid zip_code") }
        guard let bid = state.behavior.bid else { return ForeignShapes.json(["status": "REJECTED", "message": "No matching buyers"]) }
        let token = state.issue("lp-", price: bid)
        return ForeignShapes.json(["status": "ACCEPTED", "ping_id": .string(token), "payout": bid.json])
    }

    static func post(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        state.issued += 1
        let leadID = "lead-\(state.issued)"
        if let problem = credentialProblem(request, state) { return error(problem, leadID: leadID) }
        guard let bid = state.redeem(request.formValue("lp_ping_id")) else { return error("Unknown lp_ping_id", leadID: leadID) }
        if let missing = ForeignShapes.missing(["first_name", "last_name", "email", "phone"], in: request.formValue) {
            return error("Missing field \(missing)", leadID: leadID)
        }
        switch state.behavior.postOutcome {
        case .accept:
            return ForeignShapes.json(["status": "ACCEPTED", "lead_id": .string(leadID), "payout": (state.behavior.confirmed ?? bid).json])
        case .duplicate: return ForeignShapes.json(["status": "DUPLICATED", "lead_id": .string(leadID), "message": "Duplicate lead"])
        case .reject(let message): return error(message, leadID: leadID)
        }
    }
}

/// Shape 3: a GET ping with query parameters and Basic auth, XML answers, a redirect URL.
enum XMLGet {
    static func failure(_ reason: String, status: Int = 200) -> ForeignAnswer {
        ForeignShapes.xml("<response><result>failure</result><reason>\(XMLWriter.escapeText(reason))</reason></response>", status: status)
    }

    static func authorized(_ request: ForeignRequest, _ state: ForeignBuyerState) -> Bool {
        let credentials = state.behavior.credentials
        return request.headers["authorization"] == "Basic "
            + Encodings.base64(Array("\(credentials.username):\(credentials.password)".utf8))
    }

    static func ping(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        guard authorized(request, state) else { return failure("unauthorized", status: 401) }
        guard request.method == "GET" else { return failure("use GET") }
        let query = { (name: String) in request.query.first { $0.name == name }?.value }
        guard ForeignShapes.isDigits(query("zip"), count: 5), query("state")?.count == 2 else { return failure("missing zip or state") }
        guard let bid = state.behavior.bid else { return failure("no match") }
        let token = state.issue("x-", price: bid)
        return ForeignShapes.xml("<response><result>success</result><price>\(bid)</price><ping_id>\(token)</ping_id></response>")
    }

    static func post(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        guard authorized(request, state) else { return failure("unauthorized", status: 401) }
        guard let bid = state.redeem(request.formValue("ping_id")) else { return failure("unknown ping_id") }
        if let missing = ForeignShapes.missing(["first_name", "last_name", "phone", "email"], in: request.formValue) {
            return failure("missing \(missing)")
        }
        state.issued += 1
        switch state.behavior.postOutcome {
        case .accept:
            let price = state.behavior.confirmed ?? bid
            let url = XMLWriter.escapeText(state.behavior.redirectURL)
            return ForeignShapes.xml(
                "<response><result>success</result><lead_id>xl-\(state.issued)</lead_id><price>\(price)</price><redirect_url>\(url)</redirect_url></response>"
            )
        case .duplicate: return ForeignShapes.xml("<response><result>duplicate</result><reason>duplicate</reason></response>")
        case .reject(let reason): return failure(reason)
        }
    }
}

/// Shape 4: XML requests with the key inside, nested XML answers; only `Matched` is a bid.
enum NestedXML {
    static func answer(_ status: String, leadID: String, extra: String = "") -> ForeignAnswer {
        ForeignShapes.xml("<response><status>\(status)</status><lead_id>\(leadID)</lead_id>\(extra)</response>", type: "application/xml")
    }

    static func ping(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        guard let body = try? XMLDocumentParser.parse(request.body),
            ForeignShapes.find("api_key", in: body) == state.behavior.credentials.apiKey
        else { return ForeignShapes.xml("<response><status>Error</status><message>bad key</message></response>", type: "application/xml") }
        guard ForeignShapes.isDigits(ForeignShapes.find("zip", in: body), count: 5) else { return answer("Error", leadID: "0") }
        guard let bid = state.behavior.bid else {
            state.issued += 1
            return answer(
                "Unmatched", leadID: "n-\(state.issued)", extra: "<process_information><best_bid>5.00</best_bid></process_information>")
        }
        let token = state.issue("n-", price: bid)
        return answer("Matched", leadID: token, extra: "<process_information><best_bid>\(bid)</best_bid></process_information>")
    }

    static func post(_ request: ForeignRequest, _ state: inout ForeignBuyerState) -> ForeignAnswer {
        guard let body = try? XMLDocumentParser.parse(request.body),
            ForeignShapes.find("api_key", in: body) == state.behavior.credentials.apiKey
        else { return answer("Rejected", leadID: "0", extra: "<reason>bad key</reason>") }
        let leadID = ForeignShapes.find("lead_id", in: body) ?? ""
        guard state.redeem(leadID) != nil else { return answer("Rejected", leadID: leadID, extra: "<reason>unknown lead_id</reason>") }
        if let missing = ForeignShapes.missing(["first_name", "last_name", "phone", "email"], in: { ForeignShapes.find($0, in: body) }) {
            return answer("Rejected", leadID: leadID, extra: "<reason>missing \(missing)</reason>")
        }
        switch state.behavior.postOutcome {
        case .accept: return answer("Accepted", leadID: leadID)
        case .duplicate: return answer("Duplicate", leadID: leadID)
        case .reject(let reason): return answer("Rejected", leadID: leadID, extra: "<reason>\(XMLWriter.escapeText(reason))</reason>")
        }
    }
}

/// `application/x-www-form-urlencoded` decoding.
enum FormDecoding {
    /// The pairs of a form body or query string, in order (`+` is a space).
    static func pairs(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
                let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = low
            } else {
                bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
