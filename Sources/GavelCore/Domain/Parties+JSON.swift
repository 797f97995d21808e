extension Seller {
    /// The wire form.
    public var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "alias": .string(alias),
            "revenue_share": revenueShare.json, "active": .bool(active), "status": .string(status.rawValue),
        ])
    }

    /// Reads a seller from its wire form; `defaultAlias` is used when none is given, and
    /// `defaultStatus` when it has no `status` (a stored seller from before statuses is active).
    public static func parse(
        _ json: JSONValue, defaultID: String, defaultAlias: String, defaultStatus: Status = .active
    ) -> Result<Seller, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["id", "name", "alias", "revenue_share", "active", "status", "created_at", "updated_at"])
        reader.rejectNulls()
        reader.ignoredTimes(["created_at", "updated_at"])
        let id = Identifier.read(reader, default: defaultID)
        let name = reader.string("name") ?? id
        let alias = reader.string("alias", maxLength: 64) ?? defaultAlias
        let share = reader.rate("revenue_share", in: Rate.zero...Rate.one) ?? Rate("0.85")
        let active = reader.bool("active") ?? true
        let status = reader.choice("status", Status.self) ?? defaultStatus
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(Seller(id: id, name: name, alias: alias, revenueShare: share, active: active, status: status))
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
        reader.rejectNulls(except: ["balance_limit"])
        reader.ignoredTimes(["created_at", "updated_at"])
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
            "floor_learning": .string(floorLearning.mode.rawValue),
            "floor_learning_verticals": .object(floorLearning.verticals.mapValues { .string($0.rawValue) }),
            "floor_learning_options": floorLearning.optionsJSON, "ranking": .string(ranking.rawValue),
            "ranking_options": ["rejection_cost": rejectionCost.json], "new_seller_status": .string(newSellerStatus.rawValue),
            "pii_retention_days": piiRetentionDays.map { .number(Number($0)) } ?? .null,
        ])
    }

    /// Reads settings; members left out keep their value in `current`.
    public static func parse(_ json: JSONValue, current: Settings) -> Result<Settings, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown([
            "auction", "default_tmax_ms", "ping_ttl_s", "floors", "dedupe_days", "max_return_rate", "floor_learning",
            "floor_learning_verticals", "floor_learning_options", "ranking", "ranking_options", "new_seller_status",
            "pii_retention_days",
        ])
        reader.rejectNulls(except: ["max_return_rate", "pii_retention_days"])
        var settings = current
        settings.auction = reader.choice("auction", AuctionKind.self) ?? current.auction
        settings.defaultTmaxMS = reader.int("default_tmax_ms", in: 1...60_000) ?? current.defaultTmaxMS
        settings.pingTTLSeconds = reader.int("ping_ttl_s", in: 1...86_400) ?? current.pingTTLSeconds
        settings.dedupeDays = reader.int("dedupe_days", in: 0...3_650) ?? current.dedupeDays
        settings.newSellerStatus = newSellerStatus(reader) ?? current.newSellerStatus
        if reader.members["max_return_rate"] != nil {
            settings.maxReturnRate = reader.rate("max_return_rate", in: Rate.zero...Rate.one)
        }
        if reader.members["pii_retention_days"] != nil {
            settings.piiRetentionDays = reader.int("pii_retention_days", in: 1...36_500)
        }
        if let floors = reader.object("floors") {
            floors.rejectNulls()
            settings.floors = floors.members.keys.reduce(into: [:]) { result, key in
                result[key] = floors.money(key)
            }
        }
        settings.ranking = reader.choice("ranking", RankingMode.self) ?? current.ranking
        if let options = reader.object("ranking_options") {
            options.rejectUnknown(["rejection_cost"])
            options.rejectNulls()
            settings.rejectionCost = options.rate("rejection_cost", in: Rate.zero...Rate.one) ?? current.rejectionCost
        }
        settings.floorLearning = FloorLearning.parse(reader, current: current.floorLearning)
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(settings)
    }

    /// `new_seller_status`: `active` or `testing` (a new seller is never created paused).
    private static func newSellerStatus(_ reader: JSONReader) -> Seller.Status? {
        guard let text = reader.string("new_seller_status") else { return nil }
        guard let status = Seller.Status(rawValue: text), status != .paused else {
            reader.fail("new_seller_status", "must be one of 'active', 'testing'")
            return nil
        }
        return status
    }
}

extension FloorLearning {
    /// The options' wire form.
    var optionsJSON: JSONValue {
        [
            "segment": .array(segment.map { .string($0.rawValue) }), "exploration": exploration.json, "min_fill_rate": minFillRate.json,
            "max_floor": maxFloor?.json ?? .null, "window": .number(Number(window)), "min_samples": .number(Number(minSamples)),
        ]
    }

    /// Reads `floor_learning`, `floor_learning_verticals` and `floor_learning_options` from
    /// settings; what is left out keeps its value.
    static func parse(_ reader: JSONReader, current: FloorLearning) -> FloorLearning {
        var learning = current
        learning.mode = reader.choice("floor_learning", Mode.self) ?? current.mode
        if let verticals = reader.object("floor_learning_verticals") {
            learning.verticals = verticals.members.keys.reduce(into: [:]) { result, key in
                result[key] = verticals.choice(key, Mode.self, required: true)
            }
        }
        if let options = reader.object("floor_learning_options") { learning.read(options) }
        return learning
    }

    private mutating func read(_ options: JSONReader) {
        options.rejectUnknown(["segment", "exploration", "min_fill_rate", "max_floor", "window", "min_samples"])
        options.rejectNulls(except: ["max_floor"])
        if let dimensions = options.array("segment") {
            let parsed = dimensions.compactMap { $0.stringValue.flatMap(Dimension.init(rawValue:)) }
            if parsed.count != dimensions.count || parsed.isEmpty || Set(parsed).count != parsed.count {
                options.fail("segment", "must list distinct dimensions among \(Dimension.allCases.map(\.rawValue).joined(separator: ", "))")
            } else {
                segment = parsed
            }
        }
        exploration = options.rate("exploration", in: Rate.zero...Rate(micros: 500_000)) ?? exploration
        minFillRate = options.rate("min_fill_rate", in: Rate.zero...Rate.one) ?? minFillRate
        if options.members["max_floor"] != nil { maxFloor = options.money("max_floor") }
        window = options.int("window", in: 10...10_000) ?? window
        minSamples = options.int("min_samples", in: 0...10_000) ?? minSamples
    }
}
