import GavelCore

/// A seller's posting guide for one vertical, generated from the current configuration on
/// every request: endpoints, authentication, every field, consent, curl examples that run
/// unchanged against this server, every answer and error, the two-step flow and the seller's
/// status.
struct PostingGuide: Sendable {
    /// The seller.
    var seller: Seller
    /// The vertical.
    var vertical: Vertical
    /// The exchange's settings (ping TTL, deadlines, dedupe, rate limit).
    var settings: Settings
    /// Requests per second per key (0 for no limit).
    var rateLimit: Int
    /// The server's base URL as the request reached it.
    var baseURL: String

    /// The guide.
    var document: GuideDocument {
        GuideDocument(
            title: "Posting guide: \(vertical.name) for \(seller.name)", intro: intro,
            sections: [
                status, endpoints, authentication, fieldsSection, request, jsonExample, formExample, twoStep, answers, errors,
            ])
    }

    var examples: PostingExamples { PostingExamples(baseURL: baseURL, vertical: vertical) }

    private var intro: [GuideBlock] {
        [
            .paragraph([
                "How seller ", .code(seller.id), " sends ", .strong(vertical.name), " leads (vertical ", .code(vertical.id),
                ") to this exchange at ", .code(baseURL),
                ". This guide is generated from the exchange's configuration on every request, so it is always current; ask for it with ",
                .code("Accept: text/markdown"),
                " to get it as Markdown.",
            ])
        ]
    }

    // MARK: Status

    private var status: GuideSection {
        var blocks: [GuideBlock] = [.paragraph(["Your status is ", .strong(seller.status.rawValue), ": "] + statusMeaning(seller.status))]
        if !seller.active {
            blocks.append(.paragraph([.strong("This seller is switched off"), ": every request is refused with 403."]))
        }
        blocks.append(.list(Seller.Status.allCases.map { [.code($0.rawValue), ": "] + statusMeaning($0) }))
        return GuideSection(id: "status", title: "Your status", blocks: blocks)
    }

    private func statusMeaning(_ status: Seller.Status) -> [GuideInline] {
        switch status {
        case .testing:
            GuideInline.markup(
                "every lead is a test lead, whatever its `test` says: the whole auction runs (buyers see `\"test\": true`), "
                    + "but nothing is charged or paid, counted in caps or reports, or deduped against. The operator activates "
                    + "you when your integration works.")
        case .active: GuideInline.markup("leads are sold for real, except those that say `\"test\": true`.")
        case .paused:
            GuideInline.markup(
                "the operator paused you: leads, pings and posts are refused with 403 (`seller-paused`) and nothing is stored.")
        }
    }

    // MARK: Endpoints and authentication

    private var endpoints: GuideSection {
        let rows: [[[GuideInline]]] = [
            [[.code("POST \(baseURL)/v1/leads")], ["Sell a full lead in one call."]],
            [[.code("POST \(baseURL)/v1/ping")], ["Step one of two: price the non-personal fields; the bids are held."]],
            [[.code("POST \(baseURL)/v1/post")], ["Step two: deliver the full lead for a ping_id."]],
            [[.code("GET \(baseURL)/v1/leads/{lead_id}")], ["A lead of yours: status, payout and timeline."]],
            [[.code("GET \(baseURL)/v1/sellers/\(seller.id)/spec?vertical=\(vertical.id)")], ["This guide."]],
        ]
        return GuideSection(
            id: "endpoints", title: "Endpoints",
            blocks: [
                .table(columns: ["Request", "What it does"], rows: rows),
                .paragraph([
                    "The three POSTs take the same request as JSON (", .code("Content-Type: application/json"),
                    ") or as a URL-encoded form (", .code("Content-Type: application/x-www-form-urlencoded"),
                    ", what an HTML form and ", .code("curl --data-urlencode"),
                    " send), with the same validation, answers and errors. Bodies are limited to 1 MiB.",
                ]),
            ])
    }

    private var authentication: GuideSection {
        var blocks: [GuideBlock] = [
            .paragraph([
                "Send your seller key in a header: ", .code("Authorization: Bearer <key>"), " or ", .code("X-API-Key: <key>"),
                ". The examples read it from the shell variable ", .code("GAVEL_KEY"), "; set it once:",
            ]),
            .code(language: "sh", text: "export GAVEL_KEY='paste your seller key here'"),
            .paragraph([
                .strong("Never put the key in the URL."), " A request with ", .code("?api_key="), ", ", .code("?key="), " or ",
                .code("?token="),
                .text(
                    " is refused with 400 whatever the key: URLs end up in server and proxy logs, browser history and Referer "
                        + "headers, where anyone who reads them could sell as you. If that happened, ask the operator for a new key."),
            ]),
            .paragraph([
                "Retries are safe with an ", .code("Idempotency-Key"),
                .text(
                    " header (up to 200 characters): the same key and body within 24 hours return the first answer "
                        + "(with Idempotent-Replayed: true) and sell nothing twice; the same key with another body is 409."),
            ]),
        ]
        if rateLimit > 0 {
            blocks.append(.paragraph(["A key may send \(rateLimit) requests per second (bursts of twice that); beyond, 429."]))
        }
        return GuideSection(id: "authentication", title: "Authentication", blocks: blocks)
    }

    // MARK: Fields and the request

    private var fieldsSection: GuideSection {
        let rows: [[[GuideInline]]] = vertical.fields.map { spec in
            [
                [.code(spec.name)], [.text(spec.kind.rawValue)], [.text(spec.required ? "required" : "optional")],
                [.text(spec.pii ? "personal" : "no")], FieldDescription.inline(spec),
            ]
        }
        return GuideSection(
            id: "fields", title: "Fields",
            blocks: [
                .table(columns: ["Field", "Type", "Required", "Personal", "Allowed values and format"], rows: rows),
                .paragraph([
                    .text(
                        "Personal fields identify the consumer. They are never sent to buyers before a sale, and a ping must not "
                            + "carry them (422). A blank value counts as absent; text over 1,000 bytes and fields that are not listed "
                            + "here are refused (422, naming each field). Numbers, booleans and dates may be sent as text, as a form "
                            + "sends them.")
                ]),
            ])
    }

    private var request: GuideSection {
        let envelope: [[[GuideInline]]] = [
            [[.code("vertical")], ["required"], [.code(vertical.id)]],
            [[.code("source")], ["optional"], ["Your traffic source (up to 200 characters), for your reports."]],
            [[.code("test")], ["optional"], ["true: a test lead (nothing charged or paid). A form may send 1/0, yes/no, on/off."]],
            [[.code("fields")], ["required"], ["The lead's fields, above."]],
            [[.code("consent")], ["optional"], ["The consent evidence, below."]],
        ]
        let consent: [[[GuideInline]]] = PostingExamples.consent.map { name, _ in
            [[.code(name)], [.text(Self.consentMeaning[name] ?? "")]]
        }
        return GuideSection(
            id: "request", title: "The request",
            blocks: [
                .table(columns: ["Member", "Required", "Meaning"], rows: envelope),
                .table(columns: ["Consent", "Meaning"], rows: consent),
                .paragraph([
                    "In JSON the consent is an object under ", .code("consent"), ". In a form every name is flat: ",
                    .code("vertical"), ", ", .code("source"), ", ", .code("test"), " (and ", .code("ping_id"),
                    " for a post), the consent fields by name, and each lead field by name (or as ", .code("fields[name]"),
                    " when a field is named like one of the others).",
                ]),
            ])
    }

    static let consentMeaning = [
        "tcpa_text": "The consent language the consumer agreed to.",
        "trustedform_cert_url": "The TrustedForm certificate URL of the session.",
        "leadid_token": "The Jornaya LeadiD token of the session.",
    ]

    // MARK: Examples

    private var jsonExample: GuideSection {
        GuideSection(
            id: "json-example", title: "One call, as JSON",
            blocks: [
                .paragraph([
                    "A complete lead. The examples send ", .code("\"test\": true"),
                    ": they run the whole auction but charge and pay nothing. Drop it to sell for real.",
                ]),
                .code(language: "sh", text: examples.jsonLead),
            ])
    }

    private var formExample: GuideSection {
        GuideSection(
            id: "form-example", title: "One call, as a form",
            blocks: [
                .paragraph(["The same lead as a URL-encoded form; the answer is the same JSON."]),
                .code(language: "sh", text: examples.formLead),
            ])
    }

    private var twoStep: GuideSection {
        GuideSection(
            id: "two-step", title: "Two steps: ping, then post",
            blocks: [
                .paragraph([
                    "Ping with the non-personal fields only. Every eligible buyer bids at once (each within at most ",
                    "\(settings.defaultTmaxMS) ms, ", .code("default_tmax_ms"), "); the answer gives your payout at the top bid. ",
                    "The bids are held for \(settings.pingTTLSeconds) seconds (", .code("ping_ttl_s"), ", see ",
                    .code("expires_at"),
                    .text(
                        "): post the full lead with the ping_id before then, once. The post's non-personal fields must equal the "
                            + "ping's, or the lead is rejected."),
                ]),
                .code(language: "sh", text: examples.jsonPing),
                .paragraph(["Take the ", .code("ping_id"), " of the answer, then post the full lead:"]),
                .code(language: "sh", text: "export PING_ID='the ping_id of the answer'"),
                .code(language: "sh", text: examples.formPost),
            ])
    }

    // MARK: Answers and errors

    private var answers: GuideSection {
        var blocks: [GuideBlock] = [
            .paragraph([
                .code("/v1/leads"), " and ", .code("/v1/post"), " answer 200 with the lead's result. ", .code("price"),
                " is your payout (0 unless sold); ", .code("test"),
                " says whether it ran as a test lead. A consumer sold in the last \(settings.dedupeDays) days (", .code("dedupe_days"),
                ") is a duplicate.",
            ])
        ]
        for answer in PostingAnswers.leadResults(vertical: vertical) {
            blocks.append(.heading(answer.status))
            blocks.append(.paragraph(GuideInline.markup(answer.meaning)))
            blocks.append(.code(language: "json", text: OrderedJSON.value(answer.example).pretty()))
        }
        blocks.append(.paragraph([.code("/v1/ping"), " answers 200 with a bid, or with none:"]))
        for answer in PostingAnswers.pingResults(ttlSeconds: settings.pingTTLSeconds) {
            blocks.append(.heading(answer.status))
            blocks.append(.code(language: "json", text: OrderedJSON.value(answer.example).pretty()))
        }
        return GuideSection(id: "answers", title: "Answers", blocks: blocks)
    }

    private var errors: GuideSection {
        var blocks: [GuideBlock] = [
            .paragraph([
                "Every error is an RFC 9457 problem (", .code("application/problem+json"),
                "); a refused request changes nothing. The statuses:",
            ])
        ]
        for error in PostingAnswers.errors(vertical: vertical, rate: rateLimit) {
            blocks.append(.heading("\(error.status)"))
            blocks.append(.paragraph(GuideInline.markup(error.when)))
            blocks.append(.code(language: "json", text: OrderedJSON.value(error.example).pretty()))
        }
        return GuideSection(id: "errors", title: "Errors", blocks: blocks)
    }
}

/// A field's allowed values and format in words.
enum FieldDescription {
    /// The description of a field for the guide's table.
    static func inline(_ spec: FieldSpec) -> [GuideInline] {
        var parts: [GuideInline] = []
        switch spec.kind {
        case .string: parts.append(stringText(spec.format))
        case .integer: parts.append(.text("A whole number" + range(spec) + "."))
        case .number: parts.append(.text("A number" + range(spec) + "."))
        case .boolean: parts.append("true or false (also 1/0, yes/no, on/off).")
        case .enum:
            parts.append("One of ")
            for (offset, value) in spec.values.enumerated() {
                if offset > 0 { parts.append(", ") }
                parts.append(.code(value))
            }
            parts.append(".")
        case .phone: parts.append("A US phone number of 10 digits; spaces, dashes, dots, parentheses and a leading 1 are fine.")
        case .email: parts.append("An email address.")
        case .date: parts.append("A date, YYYY-MM-DD.")
        }
        return parts
    }

    private static func stringText(_ format: FieldSpec.Format?) -> GuideInline {
        switch format {
        case .zip?: "A US ZIP code: 12345 or 12345-6789."
        case .usState?: "A two-letter US state code, e.g. CA."
        case nil: "Text."
        }
    }

    private static func range(_ spec: FieldSpec) -> String {
        switch (spec.minimum, spec.maximum) {
        case (let low?, let high?): " from \(low) to \(high)"
        case (let low?, nil): ", at least \(low)"
        case (nil, let high?): ", at most \(high)"
        case (nil, nil): ""
        }
    }
}

/// The list of a seller's posting guides, one per vertical.
struct PostingGuideIndex: Sendable {
    /// The seller.
    var seller: Seller
    /// Every vertical, in id order.
    var verticals: [Vertical]
    /// The link to a vertical's guide.
    var link: @Sendable (String) -> String

    /// The list.
    var document: GuideDocument {
        let rows: [[[GuideInline]]] = verticals.map { vertical in
            [[.link(vertical.name, href: link(vertical.id))], [.code(vertical.id)], ["\(vertical.fields.count) fields"]]
        }
        return GuideDocument(
            title: "Posting guides for \(seller.name)",
            intro: [
                .paragraph([
                    "Seller ", .code(seller.id), " (status ", .strong(seller.status.rawValue),
                    .text(
                        ") may sell leads of these verticals. Each guide lists the vertical's fields and has curl examples "
                            + "that work against this server as they are."),
                ])
            ],
            sections: [
                GuideSection(id: "verticals", title: "Verticals", blocks: [.table(columns: ["Guide", "Vertical", "Fields"], rows: rows)])
            ])
    }
}
