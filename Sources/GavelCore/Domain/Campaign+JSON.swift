extension Campaign {
    /// What a secret looks like on the wire after creation: never the secret itself.
    public static let maskedSecret = "********"

    /// The wire form; the signing secret is masked unless `revealSecret` (the create response
    /// shows it once), the integration's secrets unless `revealIntegrationSecrets` (only the
    /// stored form: the operator typed them and never reads them back).
    public func json(revealSecret: Bool = false, revealIntegrationSecrets: Bool = false) -> JSONValue {
        .object([
            "id": .string(id), "buyer_id": .string(buyerID), "vertical": .string(vertical), "name": .string(name),
            "status": .string(status.rawValue),
            "delivery": delivery.json(revealSecret: revealSecret, revealIntegrationSecrets: revealIntegrationSecrets),
            "bid": bid.json, "filters": .array(filters.map(\.filterJSON)), "sellers": sellers.json,
            "caps": caps.json, "schedule": schedule?.json ?? .null,
            "dedupe_days": dedupeDays.map { .number(Number($0)) } ?? .null,
            "return_window_days": .number(Number(returnWindowDays)), "priority": .number(Number(priority)),
            "price": price?.json ?? .null, "allocation": allocation?.json ?? .null,
            "lead_type": .string(leadType.rawValue),
        ])
    }

    /// Reads a campaign from its wire form, reporting every bad member. A missing or masked
    /// secret is left empty for the caller to keep or generate. References (buyer, vertical,
    /// sellers) are checked by the caller, which knows what exists; given the verticals, an
    /// integration's field references are checked against the campaign's vertical here, so
    /// they are reported together with every other problem.
    public static func parse(
        _ json: JSONValue, defaultID: String, verticals: [String: Vertical] = [:]
    ) -> Result<Campaign, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown([
            "id", "buyer_id", "vertical", "name", "status", "delivery", "bid", "filters", "sellers", "caps", "schedule",
            "dedupe_days", "return_window_days", "priority", "price", "allocation", "lead_type", "created_at", "updated_at",
        ])
        reader.rejectNulls(except: ["schedule", "dedupe_days", "price", "allocation"])
        reader.ignoredTimes(["created_at", "updated_at"])
        let id = Identifier.read(reader, default: defaultID)
        let buyerID = reader.string("buyer_id", required: true, maxLength: 64)
        let vertical = reader.string("vertical", required: true, maxLength: 64)
        let delivery = reader.object("delivery", required: true).flatMap(Delivery.parse)
        var campaign = Campaign(
            id: id, buyerID: buyerID ?? "", vertical: vertical ?? "", name: reader.string("name") ?? id,
            status: reader.choice("status", Status.self) ?? .active, delivery: delivery ?? Delivery(mode: .hosted))
        campaign.bid = reader.object("bid").map(BidPolicy.parse) ?? BidPolicy()
        campaign.filters = parseFilters(reader)
        campaign.sellers = reader.object("sellers").map(SellerPolicy.parse) ?? SellerPolicy()
        campaign.caps = reader.object("caps").map(Caps.parse) ?? Caps()
        campaign.schedule = reader.object("schedule").flatMap(Schedule.parse)
        campaign.dedupeDays = reader.int("dedupe_days", in: 0...3_650)
        campaign.returnWindowDays = reader.int("return_window_days", in: 0...365) ?? 7
        campaign.priority = reader.int("priority", in: -1_000_000...1_000_000) ?? 0
        campaign.price = reader.money("price")
        campaign.allocation = reader.rate("allocation", in: Rate.zero...Rate.one)
        campaign.leadType = reader.choice("lead_type", LeadType.self) ?? .exclusive
        if delivery != nil { campaign.checkMode(reader) }
        if let integration = campaign.delivery.integration, let vertical = verticals[campaign.vertical] {
            log.add(contentsOf: integration.problems(vertical: vertical))
        }
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(campaign)
    }

    private static func parseFilters(_ reader: JSONReader) -> [Condition] {
        guard let elements = reader.array("filters") else { return [] }
        return elements.enumerated().flatMap { offset, element in
            Condition.parseFilter(element, path: reader.path("filters") + "[\(offset)]", log: reader.log)
        }
    }

    /// Cross-member rules: what each delivery mode needs.
    private func checkMode(_ reader: JSONReader) {
        switch delivery.mode {
        case .remote:
            if delivery.pingURL == nil && !delivery.mapsPing {
                reader.fail("delivery.ping_url", "a remote campaign needs a ping_url")
            }
        case .direct:
            if price == nil { reader.fail("price", "a direct campaign needs a fixed price") }
            if price?.cents == 0 { reader.fail("price", "must be more than 0") }
        case .hosted:
            if bid.base == nil && bid.rules.isEmpty { reader.fail("bid", "a hosted campaign needs a bid base or rules") }
        }
        if allocation != nil && delivery.mode != .direct {
            reader.fail("allocation", "only a direct campaign takes an allocation")
        }
    }
}

extension Campaign.Delivery {
    func json(revealSecret: Bool, revealIntegrationSecrets: Bool) -> JSONValue {
        .object([
            "mode": .string(mode.rawValue), "ping_url": pingURL.map(JSONValue.string) ?? .null,
            "post_url": postURL.map(JSONValue.string) ?? .null, "timeout_ms": timeoutMS.map { .number(Number($0)) } ?? .null,
            "post_timeout_ms": .number(Number(postTimeoutMS)),
            "secret": .string(revealSecret ? secret : Campaign.maskedSecret),
            "integration": integration?.json(revealSecrets: revealIntegrationSecrets) ?? .null,
        ])
    }

    static func parse(_ reader: JSONReader) -> Self? {
        reader.rejectUnknown(["mode", "ping_url", "post_url", "timeout_ms", "post_timeout_ms", "secret", "integration"])
        reader.rejectNulls(except: ["ping_url", "post_url", "timeout_ms", "integration"])
        let mode = reader.choice("mode", Mode.self, required: true)
        let pingURL = url(reader, "ping_url")
        let postURL = url(reader, "post_url")
        let timeout = reader.int("timeout_ms", in: 1...60_000)
        let postTimeout = reader.int("post_timeout_ms", in: 1...120_000) ?? 5_000
        var secret = reader.string("secret", maxLength: 256) ?? ""
        if secret == Campaign.maskedSecret { secret = "" }
        let integration = reader.object("integration").map(Integration.parse)
        guard let mode else { return nil }
        if mode != .remote && pingURL != nil { reader.fail("ping_url", "only a remote campaign is pinged") }
        if let integration { checkIntegration(integration, mode: mode, pingURL: pingURL, postURL: postURL, reader: reader) }
        return Self(
            mode: mode, pingURL: pingURL, postURL: postURL, timeoutMS: timeout, postTimeoutMS: postTimeout, secret: secret,
            integration: integration)
    }

    /// An integration's calls agree with the mode and the native URLs.
    private static func checkIntegration(_ integration: Integration, mode: Mode, pingURL: String?, postURL: String?, reader: JSONReader) {
        if integration.ping != nil && mode != .remote {
            reader.fail("integration.ping", "only a remote campaign is pinged (a \(mode.rawValue) campaign has only a post)")
        }
        if integration.ping != nil && pingURL != nil {
            reader.fail("ping_url", "the mapped ping has its own url: leave ping_url out")
        }
        if integration.post != nil && postURL != nil {
            reader.fail("post_url", "the mapped post has its own url: leave post_url out")
        }
    }

    private static func url(_ reader: JSONReader, _ key: String) -> String? {
        guard let text = reader.string(key, maxLength: 2_000) else { return nil }
        guard Identifier.isHTTPURL(text) else {
            reader.fail(key, "must be an absolute http or https URL")
            return nil
        }
        return text
    }
}

extension BidPolicy {
    var json: JSONValue {
        .object(["base": base?.json ?? .null, "max": max?.json ?? .null, "rules": .array(rules.map(\.json))])
    }

    static func parse(_ reader: JSONReader) -> Self {
        reader.rejectUnknown(["base", "max", "rules"])
        reader.rejectNulls(except: ["base", "max"])
        let base = reader.money("base")
        let max = reader.money("max")
        if let base, let max, base > max { reader.fail("base", "must not be above max") }
        let rules = (reader.array("rules") ?? []).enumerated().compactMap { offset, element in
            Rule.parse(element, path: reader.path("rules") + "[\(offset)]", log: reader.log)
        }
        return BidPolicy(base: base, max: max, rules: rules)
    }
}

extension BidPolicy.Rule {
    var json: JSONValue {
        var members: [String: JSONValue] = ["when": Condition.whenJSON(when)]
        switch action {
        case .set(let price): members["set"] = price.json
        case .add(let amount): members["add"] = amount.json
        case .multiply(let factor): members["multiply"] = factor.json
        }
        return .object(members)
    }

    static func parse(_ json: JSONValue, path: String, log: FieldErrorLog) -> Self? {
        guard let reader = JSONReader(json, path: path, log: log) else { return nil }
        reader.rejectUnknown(["when", "set", "add", "multiply"])
        let when = reader.value("when").map { Condition.parseWhen($0, path: reader.path("when"), log: log) } ?? []
        let actions = ["set", "add", "multiply"].filter { reader.value($0) != nil }
        guard actions.count == 1 else {
            log.add(path, "needs exactly one of set, add or multiply")
            return nil
        }
        let action: BidPolicy.Action?
        switch actions[0] {
        case "set": action = reader.money("set").map { .set($0) }
        case "add": action = reader.money("add", allowNegative: true).map { .add($0) }
        default: action = reader.rate("multiply", in: Rate.zero...Rate(micros: 100_000_000)).map { .multiply($0) }
        }
        return action.map { Self(when: when, action: $0) }
    }
}

extension Campaign.SellerPolicy {
    var json: JSONValue {
        .object([
            "allow": .array(allow.map(JSONValue.string)), "deny": .array(deny.map(JSONValue.string)),
            "bid_multiplier": .object(bidMultiplier.mapValues(\.json)), "max_bid": .object(maxBid.mapValues(\.json)),
            "source_multiplier": .object(sourceMultiplier.mapValues(\.json)),
        ])
    }

    static func parse(_ reader: JSONReader) -> Self {
        reader.rejectUnknown(["allow", "deny", "bid_multiplier", "max_bid", "source_multiplier"])
        var policy = Self(allow: reader.strings("allow") ?? [], deny: reader.strings("deny") ?? [])
        if let multipliers = reader.object("bid_multiplier") {
            for key in multipliers.members.keys {
                policy.bidMultiplier[key] = multipliers.rate(key, in: Rate.zero...Rate(micros: 100_000_000))
            }
        }
        if let sources = reader.object("source_multiplier") {
            for key in sources.members.keys {
                policy.sourceMultiplier[key] = sources.rate(key, in: Rate.zero...Rate(micros: 100_000_000))
            }
        }
        if let maxima = reader.object("max_bid") {
            for key in maxima.members.keys { policy.maxBid[key] = maxima.money(key) }
        }
        return policy
    }

    /// Every seller id the policy names, for reference checks.
    public var referencedSellers: Set<String> {
        Set(allow).union(deny).union(bidMultiplier.keys).union(maxBid.keys)
    }
}

extension Campaign.Caps {
    var json: JSONValue {
        .object([
            "timezone": .string(timezone), "daily_leads": dailyLeads.map { .number(Number($0)) } ?? .null,
            "weekly_leads": weeklyLeads.map { .number(Number($0)) } ?? .null,
            "monthly_leads": monthlyLeads.map { .number(Number($0)) } ?? .null,
            "daily_spend": dailySpend?.json ?? .null, "monthly_spend": monthlySpend?.json ?? .null,
        ])
    }

    static func parse(_ reader: JSONReader) -> Self {
        reader.rejectUnknown(["timezone", "daily_leads", "weekly_leads", "monthly_leads", "daily_spend", "monthly_spend"])
        reader.rejectNulls(except: ["daily_leads", "weekly_leads", "monthly_leads", "daily_spend", "monthly_spend"])
        let zone = reader.string("timezone", maxLength: 64) ?? "UTC"
        if !ZoneConverter.isValid(zone) {
            reader.fail("timezone", "unknown time zone '\(zone)' (use an IANA name such as America/New_York)")
        }
        return Self(
            timezone: zone, dailyLeads: reader.int("daily_leads"), weeklyLeads: reader.int("weekly_leads"),
            monthlyLeads: reader.int("monthly_leads"), dailySpend: reader.money("daily_spend"),
            monthlySpend: reader.money("monthly_spend"))
    }
}

extension Schedule {
    var json: JSONValue {
        var days: [String: JSONValue] = [:]
        for (index, name) in Self.weekdays.enumerated() {
            days[name] = .array((hours[index] ?? []).map { .array([.string(Self.clock($0.start)), .string(Self.clock($0.end))]) })
        }
        return .object(["timezone": .string(timezone), "hours": .object(days)])
    }

    static func clock(_ minute: Int) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }

    static func minute(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        // Digits only: `Int("+9")` would otherwise let "+9:00" through as 09:00.
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            text.allSatisfy({ $0 == ":" || ("0"..."9").contains($0) }), let h = Int(parts[0]), let m = Int(parts[1]),
            (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1_440
        else { return nil }
        return h * 60 + m
    }

    static func parse(_ reader: JSONReader) -> Self? {
        reader.rejectUnknown(["timezone", "hours"])
        let zone = reader.string("timezone", maxLength: 64) ?? "UTC"
        if !ZoneConverter.isValid(zone) {
            reader.fail("timezone", "unknown time zone '\(zone)' (use an IANA name such as America/New_York)")
        }
        guard let days = reader.object("hours", required: true) else { return nil }
        days.rejectUnknown(Set(weekdays))
        var hours: [Int: [Range]] = [:]
        for (index, name) in weekdays.enumerated() {
            let ranges = (days.array(name) ?? []).enumerated().compactMap { offset, element in
                range(element, path: days.path(name) + "[\(offset)]", log: reader.log)
            }
            if !ranges.isEmpty { hours[index] = ranges }
        }
        return Schedule(timezone: zone, hours: hours)
    }

    private static func range(_ json: JSONValue, path: String, log: FieldErrorLog) -> Range? {
        guard case .array(let ends) = json, ends.count == 2, let open = ends[0].stringValue.flatMap(minute),
            let close = ends[1].stringValue.flatMap(minute), open < 1_440
        else {
            log.add(path, "must be [\"HH:MM\", \"HH:MM\"] (24-hour local time)")
            return nil
        }
        return Range(start: open, end: close == 0 ? 1_440 : close)
    }
}
