import GavelCore

/// Erasure of personal data: one consumer's leads on the operator's request
/// (`POST /v1/privacy/erasures`), and leads older than the `pii_retention_days` setting
/// (run by ``Housekeeping``). What erasing keeps and drops is ``Redaction``'s rule, for the
/// verticals as they are configured now.
public struct PrivacyService: Sendable {
    let store: any PrivacyStore
    let market: MarketCache
    let hasher: any ContactHasher
    let clock: any WallClock
    let ids = IDGenerator()

    /// How many leads one retention write erases.
    static let retentionBatch = 500

    /// Creates the service.
    public init(store: any PrivacyStore, market: MarketCache, hasher: any ContactHasher, clock: any WallClock) {
        self.store = store
        self.market = market
        self.hasher = hasher
        self.clock = clock
    }

    /// Erases every lead of the consumer the request names and records it (with the
    /// consumer's keyed contact keys, never the phone or email).
    public func erase(_ request: ErasureRequest) async throws -> ErasureRecord {
        let now = clock.now()
        let keys = request.contactTexts.map(hasher.contactKey)
        let record = ErasureRecord(id: ids.make("E", at: now), kind: .request, at: now, contactKeys: keys)
        return try await store.eraseConsumer(contactKeys: keys, redaction: redaction, record: record)
    }

    /// Erases the personal data of leads received more than `pii_retention_days` ago, in
    /// batches, and records the pass when it erased any; `nil` when the setting is off or
    /// nothing was due.
    @discardableResult
    public func applyRetention() async throws -> ErasureRecord? {
        guard let days = market.current.config.settings.piiRetentionDays else { return nil }
        let now = clock.now()
        let cutoff = now.minus(days: days)
        let redaction = redaction
        var total = 0
        while true {
            let erased = try await store.eraseExpired(receivedBefore: cutoff, redaction: redaction, at: now, limit: Self.retentionBatch)
            total += erased
            if erased < Self.retentionBatch { break }
        }
        guard total > 0 else { return nil }
        let record = ErasureRecord(id: ids.make("E", at: now), kind: .retention, at: now, leads: total, receivedBefore: cutoff)
        try await store.recordErasure(record)
        return record
    }

    /// The recorded erasures, newest first.
    public func erasures(limit: Int) async throws -> [ErasureRecord] {
        try await store.erasures(limit: limit)
    }

    private var redaction: Redaction {
        Redaction(verticals: market.current.config.verticals.values)
    }
}

extension ErasureRecord {
    /// The wire form: no phone, no email, only keyed contact keys.
    public var json: JSONValue {
        .object([
            "id": .string(id), "kind": .string(kind.rawValue), "at": at.json, "leads": .number(Number(leads)),
            "contact_keys": .array(contactKeys.map(JSONValue.string)), "received_before": receivedBefore?.json ?? .null,
        ])
    }
}
