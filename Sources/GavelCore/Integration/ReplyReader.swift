/// Reads a mapped buyer's answer with its ``ResponseRules`` into the exchange's typed
/// answers. Pure: the same reply and rules always read the same, and nothing a buyer sends
/// can make it fail — a nonsensical answer is a typed no-bid or rejection.
public enum ReplyReader {
    /// The largest bid taken ($1 billion), as for native buyers.
    public static let maxBid = Money(cents: 100_000_000_000)
    /// The longest id or reason kept.
    public static let maxTextBytes = 256

    // MARK: Pings

    /// A ping's answer: a bid only when the `accept` rule holds (or, without one, when a
    /// positive price is there), with its bid id and captured values.
    public static func ping(_ reply: BuyerReply, rules: ResponseRules) -> PingAnswer {
        var answer = pingVerdict(reply, rules: rules)
        answer.httpStatus = reply.status
        return answer
    }

    private static func pingVerdict(_ reply: BuyerReply, rules: ResponseRules) -> PingAnswer {
        if let outcome = rules.statusOutcomes[reply.status], outcome != .read {
            return PingAnswer(kind: .noBid, detail: "\(outcome.rawValue) (HTTP \(reply.status))")
        }
        guard rules.reads(status: reply.status) else { return PingAnswer(kind: .httpStatus, detail: "HTTP \(reply.status)") }
        let document: ResponseDocument
        switch ResponseDocument.parse(reply, format: rules.format) {
        case .success(let parsed): document = parsed
        case .failure(let failure): return PingAnswer(kind: .malformed, detail: failure.message)
        }
        return bid(document, rules: rules)
    }

    private static func bid(_ document: ResponseDocument, rules: ResponseRules) -> PingAnswer {
        let reason = rules.reason.flatMap(document.select).map { clip($0.plainText) }
        if document.holdsAny(rules.duplicate) { return PingAnswer(kind: .noBid, detail: "duplicate" + (reason.map { ": \($0)" } ?? "")) }
        if document.holdsAny(rules.reject) { return PingAnswer(kind: .noBid, detail: reason ?? "refused") }
        if !rules.accept.isEmpty && !document.holdsAny(rules.accept) { return PingAnswer(kind: .noBid, detail: reason ?? "not a bid") }
        guard let raw = rules.price.flatMap(document.select) else {
            return rules.accept.isEmpty
                ? PingAnswer(kind: .noBid, detail: reason) : PingAnswer(kind: .invalidPrice, detail: "accepted without a price")
        }
        switch price(raw, unit: rules.priceUnit) {
        case .failure(let failure): return PingAnswer(kind: .invalidPrice, detail: failure.message)
        case .success(let money) where money.cents == 0: return PingAnswer(kind: .noBid, detail: reason)
        case .success(let money): return priced(money, document: document, rules: rules)
        }
    }

    private static func priced(_ money: Money, document: ResponseDocument, rules: ResponseRules) -> PingAnswer {
        var captures: [String: JSONValue] = [:]
        for (name, selector) in rules.captures {
            guard let value = document.select(selector), value.isScalar else {
                return PingAnswer(kind: .malformed, detail: "a bid without its '\(name)' to capture")
            }
            captures[name] = value
        }
        let bidID = rules.bidID.flatMap(document.select).map { clip($0.plainText) }
        return PingAnswer(kind: .bid, bid: money, bidID: bidID, captures: captures)
    }

    // MARK: Posts

    /// A post's answer: accepted only when the `accept` rule holds, checked after the
    /// duplicate and reject rules, so an error answer that also carries a lead id is a
    /// rejection.
    public static func post(_ reply: BuyerReply, rules: ResponseRules) -> PostAnswer {
        var answer = postVerdict(reply, rules: rules)
        answer.httpStatus = reply.status
        return answer
    }

    private static func postVerdict(_ reply: BuyerReply, rules: ResponseRules) -> PostAnswer {
        if let outcome = rules.statusOutcomes[reply.status], outcome != .read {
            switch outcome {
            case .accepted: return PostAnswer(outcome: .accepted)
            case .duplicate: return PostAnswer(outcome: .duplicate, reason: "duplicate")
            default: return PostAnswer(outcome: .rejected, reason: "http_status_\(reply.status)")
            }
        }
        guard rules.reads(status: reply.status) else { return PostAnswer(outcome: .rejected, reason: "http_status_\(reply.status)") }
        switch ResponseDocument.parse(reply, format: rules.format) {
        case .success(let document): return verdict(document, rules: rules)
        case .failure: return PostAnswer(outcome: .rejected, reason: "malformed")
        }
    }

    private static func verdict(_ document: ResponseDocument, rules: ResponseRules) -> PostAnswer {
        let reason = rules.reason.flatMap(document.select).map { clip($0.plainText) }
        let leadID = rules.leadID.flatMap(document.select).map { clip($0.plainText) }
        if document.holdsAny(rules.duplicate) { return PostAnswer(outcome: .duplicate, reason: reason ?? "duplicate", buyerLeadID: leadID) }
        if document.holdsAny(rules.reject) || !document.holdsAny(rules.accept) {
            let fallback = document.holdsAny(rules.reject) ? "rejected" : "unrecognized_answer"
            return PostAnswer(outcome: .rejected, reason: reason ?? fallback, buyerLeadID: leadID)
        }
        var answer = PostAnswer(outcome: .accepted, buyerLeadID: leadID, redirectURL: redirect(document, rules: rules))
        guard let raw = rules.price.flatMap(document.select) else { return answer }
        switch price(raw, unit: rules.priceUnit) {
        case .success(let money): answer.confirmedPrice = money
        case .failure: return PostAnswer(outcome: .rejected, reason: "invalid_price", buyerLeadID: leadID)
        }
        return answer
    }

    /// Only an http or https URL is passed on to the seller's consumer.
    private static func redirect(_ document: ResponseDocument, rules: ResponseRules) -> String? {
        guard let text = rules.redirectURL.flatMap(document.select)?.plainText.trimmingSpaces, text.utf8.count <= 2_000,
            Identifier.isHTTPURL(text)
        else { return nil }
        return text
    }

    // MARK: Values

    /// A price from a number or numeric text (`12.5`, `"12.50"`, `"$1,250.00"`), in dollars or cents.
    public static func price(_ value: JSONValue, unit: ResponseRules.PriceUnit) -> Result<Money, ReadFailure> {
        let number: Number?
        switch value {
        case .number(let parsed): number = parsed
        case .string(let text):
            let cleaned = text.trimmingSpaces.filter { $0 != "," }
            number = Number(text: cleaned.hasPrefix("$") ? String(cleaned.dropFirst()) : cleaned)
        default: number = nil
        }
        guard let number else { return .failure(ReadFailure("the price is not a number")) }
        let cents = unit == .cents ? number.integerValue : number.scaled(by: 2)
        guard let cents else { return .failure(ReadFailure("the price has more than 2 decimals (or is not whole cents)")) }
        guard cents >= 0 else { return .failure(ReadFailure("the price is negative")) }
        guard cents <= maxBid.cents else { return .failure(ReadFailure("the price is too large")) }
        return .success(Money(cents: cents))
    }

    private static func clip(_ text: String) -> String {
        guard text.utf8.count > maxTextBytes else { return text }
        var clipped = text
        while clipped.utf8.count > maxTextBytes { clipped.removeLast() }
        return clipped
    }
}

extension PostAnswer {
    /// The answer after the campaign's rule for a lower confirmed price: a higher or equal
    /// confirmation changes nothing (the buyer pays what it bid), a lower one is either kept
    /// (`accept`: the sale stands at that price) or turned into a `price_lowered` rejection.
    public func settled(offered: Money, policy: Integration.LowerPrice) -> PostAnswer {
        guard outcome == .accepted, let confirmed = confirmedPrice, confirmed < offered else {
            var same = self
            if outcome == .accepted { same.confirmedPrice = confirmedPrice.map { min($0, offered) } }
            return same
        }
        guard policy == .accept else {
            var refused = self
            refused.outcome = .rejected
            refused.reason = "price_lowered"
            return refused
        }
        return self
    }
}
