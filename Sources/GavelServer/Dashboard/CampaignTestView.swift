import GavelCore

/// The campaign page's integration summary and test console: how the campaign is called, and
/// the calls of the last test run as text a person reads (secrets masked).
struct CampaignTestView: Sendable {
    /// One call of a test run.
    struct Call: Sendable {
        /// `Ping` or `Post`.
        var title: String
        /// The request as sent.
        var request: String
        /// The answer as it came, or why none came.
        var response: String
        /// How it was read.
        var reading: String
    }

    /// How the campaign's ping and post are made.
    var facts: [Fact]
    /// What was typed in the fields box (kept when the page comes back).
    var typedFields: String
    /// Whether the last run posted (the checkbox's state).
    var post: Bool
    /// The last run's outcome in a sentence, if a test ran.
    var summary: String?
    /// The last run's calls.
    var calls: [Call]
    /// Why the last test was refused (the fields were not a valid lead).
    var errors: [String] = [] {
        didSet { hasErrors = !errors.isEmpty }
    }
    /// Whether there are ``errors`` (stored: the templates read stored properties only).
    private(set) var hasErrors = false

    /// The summary of a campaign without a test run yet.
    init(_ campaign: Campaign, typedFields: String = "", post: Bool = true) {
        facts = Self.facts(campaign)
        self.typedFields = typedFields
        self.post = post
        summary = nil
        calls = []
    }

    /// With the result of a test run.
    init(_ campaign: Campaign, run: TestConsole.Run, typedFields: String, post: Bool) {
        self.init(campaign, typedFields: typedFields, post: post)
        var calls: [Call] = []
        if let ping = run.ping { calls.append(Self.call("Ping", trace: ping.trace, reading: Self.reading(ping.answer))) }
        if let post = run.post {
            calls.append(Self.call("Post", trace: post.trace, reading: Self.reading(post.answer, offered: run.price)))
        }
        self.calls = calls
        summary = Self.summary(run)
    }

    static func facts(_ campaign: Campaign) -> [Fact] {
        let delivery = campaign.delivery
        var facts: [Fact] = []
        if delivery.mode == .remote {
            facts.append(Fact("Ping", delivery.integration?.ping.map(describe) ?? "native protocol to \(delivery.pingURL ?? "(no URL)")"))
        }
        let post = delivery.integration?.post.map(describe) ?? delivery.postURL.map { "native protocol to \($0)" } ?? "the buyer's inbox"
        facts.append(Fact("Post", post))
        if let secrets = delivery.integration?.secrets, !secrets.isEmpty {
            facts.append(Fact("Secrets", secrets.keys.sorted().map { "\($0) = \(Integration.maskedSecret)" }.joined(separator: ", ")))
        }
        if let policy = delivery.integration?.post?.lowerPrice {
            facts.append(Fact("A lower confirmed price", policy == .accept ? "is charged" : "is a rejection"))
        }
        return facts
    }

    private static func describe(_ call: Integration.Call) -> String {
        "mapped: \(call.method.rawValue) \(call.url.text) (\(call.encoding == .none ? "query only" : call.encoding.rawValue)), "
            + "answers read as \(call.response.format.rawValue)"
    }

    private static func call(_ title: String, trace: CallTrace?, reading: String) -> Call {
        guard let trace else { return Call(title: title, request: "(not traced)", response: "", reading: reading) }
        let request = trace.request
        var head = "\(request.method) \(request.url)\n" + request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        if !request.body.isEmpty { head += "\n\n" + String(decoding: request.body, as: UTF8.self) }
        let response: String
        if let reply = trace.reply {
            response =
                "HTTP \(reply.status)\n" + reply.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n\n"
                + String(decoding: reply.body, as: UTF8.self) + (trace.truncated ? "\n… (cut)" : "")
        } else {
            response = "No answer: \(trace.failure ?? "unknown")"
        }
        return Call(
            title: "\(title) (\(DashboardFormat.milliseconds(Int(trace.latencyMicros / 1_000))))", request: head, response: response,
            reading: reading)
    }

    static func reading(_ answer: PingAnswer) -> String {
        var parts = ["read as \(answer.kind.rawValue)"]
        if let bid = answer.bid { parts.append("bid \(DashboardFormat.money(bid))") }
        if let id = answer.bidID { parts.append("bid id \(id)") }
        for (name, value) in answer.captures.sorted(by: { $0.key < $1.key }) { parts.append("captured \(name) = \(value.plainText)") }
        if let detail = answer.detail { parts.append("detail: \(detail)") }
        return parts.joined(separator: "; ")
    }

    static func reading(_ answer: PostAnswer, offered: Money?) -> String {
        var parts = ["read as \(answer.outcome.rawValue)"]
        if let reason = answer.reason { parts.append("reason: \(reason)") }
        if let id = answer.buyerLeadID { parts.append("buyer's lead id \(id)") }
        if let confirmed = answer.confirmedPrice { parts.append("confirmed price \(DashboardFormat.money(confirmed))") }
        if answer.outcome == .accepted, let charged = answer.confirmedPrice ?? offered {
            parts.append("would charge \(DashboardFormat.money(charged))")
        }
        if let url = answer.redirectURL { parts.append("redirect to \(url)") }
        return parts.joined(separator: "; ")
    }

    static func summary(_ run: TestConsole.Run) -> String {
        var text = "A test lead (nothing stored or charged)"
        if let ping = run.ping { text += ": the ping was read as \(ping.answer.kind.rawValue)" }
        if let post = run.post {
            text += (run.ping == nil ? ": " : ", ") + "the post at \(DashboardFormat.money(run.price)) as \(post.answer.outcome.rawValue)"
        }
        if let note = run.note { text += " (\(note))" }
        return text + "."
    }
}
