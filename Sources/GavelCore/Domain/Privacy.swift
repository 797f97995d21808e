/// An operator's request to erase a consumer: the phone and/or the email that identify it,
/// normalized as a lead's fields are (a phone to its 10 NANP digits, an email lower-cased).
public struct ErasureRequest: Sendable, Hashable {
    /// The phone's 10 digits.
    public var phone: String?
    /// The lower-cased email.
    public var email: String?

    /// Creates a request.
    public init(phone: String? = nil, email: String? = nil) {
        self.phone = phone
        self.email = email
    }

    /// Reads `{"phone": "...", "email": "..."}`: at least one, each valid (never `null`),
    /// nothing else.
    public static func parse(_ json: JSONValue) -> Result<ErasureRequest, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["phone", "email"])
        reader.rejectNulls()
        let phone = normalized(reader, "phone", FieldSpec.normalizePhone)
        let email = normalized(reader, "email", FieldSpec.normalizeEmail)
        if reader.value("phone") == nil && reader.value("email") == nil {
            reader.fail("phone", "give a phone, an email or both")
        }
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(ErasureRequest(phone: phone, email: email))
    }

    private static func normalized(
        _ reader: JSONReader, _ key: String, _ normalize: (String) -> Result<String, FieldProblem>
    ) -> String? {
        guard let text = reader.string(key, maxLength: 320) else { return nil }
        switch normalize(text.trimmingSpaces) {
        case .success(let value): return value
        case .failure(let problem):
            reader.fail(key, problem.message)
            return nil
        }
    }

    /// The texts the consumer's contact keys are made from, as ``ContactKeys/hashInputs(fields:vertical:)``
    /// makes them for a lead.
    public var contactTexts: [String] {
        (phone.map { ["1" + $0] } ?? []) + (email.map { [$0] } ?? [])
    }
}

/// A recorded erasure: when, how many leads, and — for a request — the consumer's keyed
/// contact keys (never a phone or an email).
public struct ErasureRecord: Sendable, Hashable, Identifiable {
    /// What asked for it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An operator's request for one consumer.
        case request
        /// The `pii_retention_days` setting.
        case retention
    }

    /// Its id (`E…`).
    public var id: String
    /// What asked for it.
    public var kind: Kind
    /// When it was done.
    public var at: Timestamp
    /// How many leads it erased.
    public var leads: Int
    /// The consumer's contact keys (a request's).
    public var contactKeys: [String]
    /// The leads received before this time were erased (a retention pass's).
    public var receivedBefore: Timestamp?

    /// Creates a record.
    public init(id: String, kind: Kind, at: Timestamp, leads: Int = 0, contactKeys: [String] = [], receivedBefore: Timestamp? = nil) {
        self.id = id
        self.kind = kind
        self.at = at
        self.leads = leads
        self.contactKeys = contactKeys
        self.receivedBefore = receivedBefore
    }
}

/// What erasing a lead's personal data does, as a pure function every store applies.
///
/// Of the fields only those its vertical marks non-personal stay (never a phone or an email; a
/// field the vertical does not know, or a lead of a vertical that no longer exists, keeps
/// nothing); the consent
/// evidence, which the exchange cannot vet field by field, goes; posts lose the buyer's
/// redirect URL (a page meant for that consumer), and any buyer text written after the full
/// lead was sent (a post's reason, the buyer's lead id) that repeats a personal value is
/// dropped. Prices, statuses, sales, the ledger, contact keys (keyed hashes) and reports stay.
public struct Redaction: Sendable {
    /// The non-personal field names of each vertical: what is kept.
    public var kept: [String: Set<String>]

    /// The reason a scrubbed buyer text is replaced by.
    public static let scrubbedReason = "erased"

    /// A redaction for the current verticals.
    public init(verticals: some Sequence<Vertical>) {
        kept = Dictionary(
            verticals.map { vertical in (vertical.id, Set(vertical.fields.filter(Self.isKept).map(\.name))) },
            uniquingKeysWith: { first, _ in first })
    }

    /// Whether erasing keeps a field: one its vertical does not mark `pii`, unless it is a phone
    /// or an email (contact data whatever a custom vertical says).
    static func isKept(_ field: FieldSpec) -> Bool {
        !field.pii && field.kind != .phone && field.kind != .email
    }

    /// The lead without its personal data, marked erased (at its first erasure's time).
    public func erase(_ lead: Lead, at: Timestamp) -> Lead {
        var erased = lead
        let keep = kept[lead.vertical] ?? []
        erased.fields = lead.fields.filter { keep.contains($0.key) }
        erased.consent = .null
        erased.erasedAt = lead.erasedAt ?? at
        return erased
    }

    /// The values a lead's erasure removes, lower-cased, as texts buyers could repeat.
    public func personalValues(_ lead: Lead) -> [String] {
        let keep = kept[lead.vertical] ?? []
        return lead.fields.filter { !keep.contains($0.key) }.values.compactMap(Self.text)
            .map { $0.lowercased() }.filter { $0.utf8.count >= 3 }
    }

    /// An outcome without what buyers wrote for this consumer: posts lose their redirect URL,
    /// and reasons and buyer lead ids that repeat one of `values` are dropped.
    public func erase(_ outcome: LeadOutcome, values: [String]) -> LeadOutcome {
        var erased = outcome
        erased.posts = outcome.posts.map { post in
            var post = post
            post.redirectURL = nil
            if let reason = post.reason, Self.mentions(reason, values) { post.reason = Self.scrubbedReason }
            if let id = post.buyerLeadID, Self.mentions(id, values) { post.buyerLeadID = nil }
            return post
        }
        erased.sales = outcome.sales.map { sale in
            var sale = sale
            if let id = sale.buyerLeadID, Self.mentions(id, values) { sale.buyerLeadID = nil }
            return sale
        }
        return erased
    }

    /// A stored lead and its outcome, erased.
    public func erase(_ detail: LeadDetail, at: Timestamp) -> LeadDetail {
        let values = personalValues(detail.lead)
        return LeadDetail(
            lead: erase(detail.lead, at: at), outcome: detail.outcome.map { erase($0, values: values) }, status: detail.status)
    }

    /// Whether a text repeats one of the values (lower-cased), or a value of 7 or more digits
    /// among its own digits (a phone written another way).
    public static func mentions(_ text: String, _ values: [String]) -> Bool {
        let lower = text.lowercased()
        let digits = String(lower.filter(\.isASCIIDigit))
        return values.contains { value in
            lower.contains(value) || (value.utf8.count >= 7 && value.allSatisfy(\.isASCIIDigit) && digits.contains(value))
        }
    }

    /// A stored response (an idempotency key's) for one of the erased leads, without its
    /// redirect URL; `nil` when the body is not such a response or has none to drop.
    public static func scrubResponse(_ body: [UInt8], leadIDs: Set<String>) -> [UInt8]? {
        guard let json = try? JSONParser.parse(body, limits: .trusted), var members = json.objectValue,
            let id = members["lead_id"]?.stringValue, leadIDs.contains(id), let url = members["redirect_url"], !url.isNull
        else { return nil }
        members["redirect_url"] = .null
        return JSONWriter.bytes(.object(members))
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let number): number.description
        default: nil
        }
    }
}
