extension Seller {
    /// The wire form.
    public var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "alias": .string(alias),
            "revenue_share": revenueShare.json, "active": .bool(active),
        ])
    }

    /// Reads a seller from its wire form; `defaultAlias` is used when none is given.
    public static func parse(_ json: JSONValue, defaultID: String, defaultAlias: String) -> Result<Seller, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["id", "name", "alias", "revenue_share", "active", "created_at", "updated_at"])
        let id = Identifier.read(reader, default: defaultID)
        let name = reader.string("name") ?? id
        let alias = reader.string("alias", maxLength: 64) ?? defaultAlias
        let share = reader.rate("revenue_share", in: Rate.zero...Rate.one) ?? Rate("0.85")
        let active = reader.bool("active") ?? true
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(Seller(id: id, name: name, alias: alias, revenueShare: share, active: active))
    }
}

extension Buyer {
    /// The wire form.
    public var json: JSONValue {
        .object(["id": .string(id), "name": .string(name), "balance_limit": balanceLimit?.json ?? .null])
    }

    /// Reads a buyer from its wire form.
    public static func parse(_ json: JSONValue, defaultID: String) -> Result<Buyer, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["id", "name", "balance_limit", "created_at", "updated_at"])
        let id = Identifier.read(reader, default: defaultID)
        let name = reader.string("name") ?? id
        let limit = reader.money("balance_limit")
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(Buyer(id: id, name: name, balanceLimit: limit))
    }
}

extension Settings {
    /// The wire form.
    public var json: JSONValue {
        .object([
            "auction": .string(auction.rawValue), "default_tmax_ms": .number(Number(defaultTmaxMS)),
            "ping_ttl_s": .number(Number(pingTTLSeconds)), "floors": .object(floors.mapValues(\.json)),
            "dedupe_days": .number(Number(dedupeDays)), "max_return_rate": maxReturnRate?.json ?? .null,
            "pii_retention_days": piiRetentionDays.map { .number(Number($0)) } ?? .null,
        ])
    }

    /// Reads settings; members left out keep their value in `current`.
    public static func parse(_ json: JSONValue, current: Settings) -> Result<Settings, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown([
            "auction", "default_tmax_ms", "ping_ttl_s", "floors", "dedupe_days", "max_return_rate", "pii_retention_days",
        ])
        var settings = current
        settings.auction = reader.choice("auction", AuctionKind.self) ?? current.auction
        settings.defaultTmaxMS = reader.int("default_tmax_ms", in: 1...60_000) ?? current.defaultTmaxMS
        settings.pingTTLSeconds = reader.int("ping_ttl_s", in: 1...86_400) ?? current.pingTTLSeconds
        settings.dedupeDays = reader.int("dedupe_days", in: 0...3_650) ?? current.dedupeDays
        if reader.members["max_return_rate"] != nil {
            settings.maxReturnRate = reader.rate("max_return_rate", in: Rate.zero...Rate.one)
        }
        if reader.members["pii_retention_days"] != nil {
            settings.piiRetentionDays = reader.int("pii_retention_days", in: 1...36_500)
        }
        if let floors = reader.object("floors") {
            settings.floors = floors.members.keys.reduce(into: [:]) { result, key in
                result[key] = floors.money(key)
            }
        }
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(settings)
    }
}
