import GavelBuyers
import GavelCore

/// Changes configuration on the operator's behalf: parses and checks each change (including
/// references between records), writes it to the store, then swaps the in-memory market so the
/// next lead sees it. Changes are serialized so a check and its write cannot interleave with
/// another change.
public actor ConfigService {
    let store: any ConfigStore & KeyStore
    let market: MarketCache
    let keys: KeyRing
    let ids = IDGenerator()
    let urlGuard: AddressGuard
    let webhooks: WebhookRegistry?

    /// Creates the service; `webhooks` loses a seller's or buyer's webhooks with it.
    public init(
        store: any ConfigStore & KeyStore, market: MarketCache, keys: KeyRing, urlGuard: AddressGuard, webhooks: WebhookRegistry? = nil
    ) {
        self.store = store
        self.market = market
        self.keys = keys
        self.urlGuard = urlGuard
        self.webhooks = webhooks
    }

    /// Creates a record from its wire form; returns the stored record.
    public func create(_ kind: ConfigKind, json: JSONValue) async throws -> ConfigRecord {
        var record = try parse(kind, json: json, id: nil, replacing: nil)
        record = try await prepare(record, replacing: nil)
        try await store.create(record)
        market.update { $0.apply(record) }
        return record
    }

    /// Replaces a record (PUT).
    public func replace(_ kind: ConfigKind, id: String, json: JSONValue) async throws -> ConfigRecord {
        let existing = try current(kind, id: id)
        var record = try parse(kind, json: json, id: id, replacing: existing)
        guard record.id == id else { throw Problem.invalid(field: "id", "must match the id in the path ('\(id)')") }
        record = try await prepare(record, replacing: existing)
        try await store.replace(record)
        market.update { $0.apply(record) }
        return record
    }

    /// Changes some members of a record (PATCH, RFC 7396 merge patch).
    public func patch(_ kind: ConfigKind, id: String, json patch: JSONValue) async throws -> ConfigRecord {
        let existing = try current(kind, id: id)
        guard case .object = patch else { throw Problem.invalid(field: "body", "must be an object") }
        let unknown = MergePatch.unknownRemovals(patch, in: existing.storedJSON, ignored: ["created_at", "updated_at"])
        if !unknown.isEmpty { throw Problem.invalid(ValidationFailure(unknown)) }
        let merged = MergePatch.apply(patch, to: existing.storedJSON)
        return try await replace(kind, id: id, json: merged)
    }

    /// Deletes a record; refuses while other records depend on it.
    public func delete(_ kind: ConfigKind, id: String) async throws {
        _ = try current(kind, id: id)
        let config = market.current.config
        switch kind {
        case .vertical where config.campaigns.values.contains { $0.vertical == id }:
            throw Problem.conflict("Vertical '\(id)' still has campaigns; delete them first.")
        case .buyer where config.campaigns.values.contains { $0.buyerID == id }:
            throw Problem.conflict("Buyer '\(id)' still has campaigns; delete them first.")
        default: break
        }
        guard try await store.delete(kind, id: id) else { throw Problem.notFound("No \(kind.rawValue) '\(id)'.") }
        try await revokeKeys(kind, id: id)
        market.update { $0.remove(kind, id: id) }
    }

    /// Replaces the settings; members left out keep their values.
    public func updateSettings(json: JSONValue) async throws -> Settings {
        let config = market.current.config
        let settings = try Settings.parse(json, current: config.settings).orProblem()
        let unknown = settings.floors.keys.filter { config.verticals[$0] == nil }.sorted()
        if !unknown.isEmpty {
            throw Problem.invalid(ValidationFailure(unknown.map { FieldError(field: "floors.\($0)", message: "unknown vertical '\($0)'") }))
        }
        try await store.saveSettings(settings)
        market.update { $0.settings = settings }
        return settings
    }

    /// A record that exists, or 404.
    public func current(_ kind: ConfigKind, id: String) throws -> ConfigRecord {
        let config = market.current.config
        let record: ConfigRecord? =
            switch kind {
            case .vertical: config.verticals[id].map(ConfigRecord.vertical)
            case .seller: config.sellers[id].map(ConfigRecord.seller)
            case .buyer: config.buyers[id].map(ConfigRecord.buyer)
            case .campaign: config.campaigns[id].map(ConfigRecord.campaign)
            }
        guard let record else { throw Problem.notFound("No \(kind.rawValue) '\(id)'.") }
        return record
    }

    private func revokeKeys(_ kind: ConfigKind, id: String) async throws {
        let role: Role
        switch kind {
        case .seller: role = .seller
        case .buyer: role = .buyer
        default: return
        }
        for key in try await store.apiKeys() where key.role == role && key.subjectID == id {
            _ = try await store.deleteAPIKey(id: key.id)
        }
        keys.remove(subjectID: id, role: role)
        try await webhooks?.deleteAll(of: WebhookOwner(role: role, subjectID: id))
    }

    /// Reads a record. A seller without `status` gets the settings' `new_seller_status` when
    /// created, and keeps its status when replaced (a v1 client never resets it by a PUT).
    private func parse(_ kind: ConfigKind, json: JSONValue, id: String?, replacing existing: ConfigRecord?) throws -> ConfigRecord {
        let fallback = id ?? ids.make(Self.prefix(kind))
        switch kind {
        case .vertical: return .vertical(try Vertical.parse(json, defaultID: fallback).orProblem())
        case .seller:
            let alias = "s-" + ids.secret(length: 8)
            var status = market.current.config.settings.newSellerStatus
            if case .seller(let old) = existing { status = old.status }
            return .seller(try Seller.parse(json, defaultID: fallback, defaultAlias: alias, defaultStatus: status).orProblem())
        case .buyer: return .buyer(try Buyer.parse(json, defaultID: fallback).orProblem())
        case .campaign:
            return .campaign(try Campaign.parse(json, defaultID: fallback, verticals: market.current.config.verticals).orProblem())
        }
    }

    private static func prefix(_ kind: ConfigKind) -> String {
        switch kind {
        case .vertical: "V"
        case .seller: "S"
        case .buyer: "B"
        case .campaign: "C"
        }
    }

    /// Checks references and fills what the exchange generates (a campaign's secret) or keeps
    /// (secrets sent back masked).
    private func prepare(_ record: ConfigRecord, replacing existing: ConfigRecord?) async throws -> ConfigRecord {
        guard case .campaign(var campaign) = record else { return record }
        var old: Campaign?
        if case .campaign(let stored) = existing { old = stored }
        campaign.delivery.integration = campaign.delivery.integration?.keepingSecrets(of: old?.delivery.integration)
        try await check(campaign)
        if campaign.delivery.secret.isEmpty { campaign.delivery.secret = old?.delivery.secret ?? ids.secret(length: 40) }
        return .campaign(campaign)
    }

    private func check(_ campaign: Campaign) async throws {
        let config = market.current.config
        var errors: [FieldError] = []
        if config.buyers[campaign.buyerID] == nil {
            errors.append(FieldError(field: "buyer_id", message: "buyer '\(campaign.buyerID)' does not exist"))
        }
        if config.verticals[campaign.vertical] == nil {
            errors.append(FieldError(field: "vertical", message: "unknown vertical '\(campaign.vertical)'"))
        }
        for name in campaign.delivery.integration?.emptySecrets ?? [] {
            errors.append(
                FieldError(field: "delivery.integration.secrets.\(name)", message: "needs a value (the mask keeps a stored one only)"))
        }
        for seller in campaign.sellers.referencedSellers.sorted() where config.sellers[seller] == nil {
            errors.append(FieldError(field: "sellers", message: "seller '\(seller)' does not exist"))
        }
        let urls =
            [("delivery.ping_url", campaign.delivery.pingURL), ("delivery.post_url", campaign.delivery.postURL)]
            + (campaign.delivery.integration?.urls.map { ($0.field, Optional($0.url)) } ?? [])
        for case let (field, url?) in urls {
            if let problem = await urlGuard.problem(with: url) { errors.append(FieldError(field: field, message: problem)) }
        }
        if !errors.isEmpty { throw Problem.invalid(ValidationFailure(errors)) }
    }
}

extension ConfigRecord {
    /// The record's complete stored form (a campaign's secret included), for merging patches.
    var storedJSON: JSONValue {
        switch self {
        case .vertical(let value): value.json
        case .seller(let value): value.json
        case .buyer(let value): value.json
        case .campaign(let value): value.json(revealSecret: true, revealIntegrationSecrets: true)
        }
    }

    /// The wire form shown to the operator (a campaign's secret masked unless `revealSecret`).
    func json(revealSecret: Bool = false) -> JSONValue {
        switch self {
        case .campaign(let value): value.json(revealSecret: revealSecret)
        default: storedJSON
        }
    }
}

/// RFC 7396 JSON merge patch.
enum MergePatch {
    /// Applies a patch: objects merge recursively, `null` removes a member, anything else replaces.
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var members = target.objectValue ?? [:]
        for (key, value) in changes {
            if value.isNull {
                members[key] = nil
            } else {
                members[key] = apply(value, to: members[key] ?? .null)
            }
        }
        return .object(members)
    }

    /// The `null` members of a patch that name no member of the record (a merge would drop them
    /// silently): unknown fields, as a full body's would be. `ignored` are members the record
    /// takes but never stores (such as `created_at`).
    static func unknownRemovals(_ patch: JSONValue, in target: JSONValue, path: String = "", ignored: Set<String> = []) -> [FieldError] {
        guard case .object(let changes) = patch else { return [] }
        let members = target.objectValue ?? [:]
        return changes.sorted { $0.key < $1.key }.flatMap { key, value -> [FieldError] in
            let field = path.isEmpty ? key : "\(path).\(key)"
            if value.isNull {
                return members[key] == nil && !ignored.contains(key) ? [FieldError(field: field, message: "is not a known field")] : []
            }
            return unknownRemovals(value, in: members[key] ?? .null, path: field)
        }
    }
}
