/// One configuration change as the configuration journal keeps it (and the chain seals it):
/// what changed, how, and the record as it became, in its wire JSON with every secret masked
/// (`********`: the journal is append-only, so it must never hold a secret). A store writes it
/// in the same transaction as the change itself.
public struct ConfigChange: Sendable, Hashable {
    /// What was done.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        /// A record was created.
        case create
        /// A record was replaced (or patched).
        case replace
        /// A record was deleted.
        case delete
    }

    /// The kind of record: a ``ConfigKind`` (`vertical`, `seller`, `buyer`, `campaign`),
    /// `settings`, `api_key` or `webhook`.
    public var kind: String
    /// The record's id (`settings` for the settings).
    public var recordID: String
    /// What was done.
    public var op: Operation
    /// The record as it became, masked JSON text (empty for a deletion).
    public var body: String
    /// When.
    public var at: Timestamp

    /// Creates a change from stored columns.
    public init(kind: String, recordID: String, op: Operation, body: String, at: Timestamp) {
        self.kind = kind
        self.recordID = recordID
        self.op = op
        self.body = body
        self.at = at
    }

    /// A record created or replaced.
    public init(_ op: Operation, _ record: ConfigRecord, at: Timestamp) {
        self.init(kind: record.kind.rawValue, recordID: record.id, op: op, body: JSONWriter.string(Self.masked(record)), at: at)
    }

    /// A record deleted.
    public static func deleted(_ kind: ConfigKind, id: String, at: Timestamp) -> ConfigChange {
        ConfigChange(kind: kind.rawValue, recordID: id, op: .delete, body: "", at: at)
    }

    /// The settings replaced.
    public static func settings(_ settings: Settings, at: Timestamp) -> ConfigChange {
        ConfigChange(kind: "settings", recordID: "settings", op: .replace, body: JSONWriter.string(settings.json), at: at)
    }

    /// An API key created: its role, subject, prefix and label (never its hash).
    public static func keyCreated(_ key: APIKeyRecord, at: Timestamp) -> ConfigChange {
        let body: JSONValue = .object([
            "role": .string(key.role.rawValue), "subject_id": key.subjectID.map(JSONValue.string) ?? .null,
            "prefix": .string(key.prefix), "label": .string(key.label),
        ])
        return ConfigChange(kind: "api_key", recordID: key.id, op: .create, body: JSONWriter.string(body), at: at)
    }

    /// An API key revoked.
    public static func keyDeleted(id: String, at: Timestamp) -> ConfigChange {
        ConfigChange(kind: "api_key", recordID: id, op: .delete, body: "", at: at)
    }

    /// A webhook registered: its wire form (owner, URL, events, description), secret masked.
    public static func webhookCreated(_ webhook: Webhook) -> ConfigChange {
        ConfigChange(kind: "webhook", recordID: webhook.id, op: .create, body: JSONWriter.string(webhook.json()), at: webhook.createdAt)
    }

    /// A webhook deleted.
    public static func webhookDeleted(id: String, at: Timestamp) -> ConfigChange {
        ConfigChange(kind: "webhook", recordID: id, op: .delete, body: "", at: at)
    }

    /// A record's wire form with its secrets masked.
    private static func masked(_ record: ConfigRecord) -> JSONValue {
        switch record {
        case .vertical(let value): value.json
        case .seller(let value): value.json
        case .buyer(let value): value.json
        case .campaign(let value): value.json(revealSecret: false, revealIntegrationSecrets: false)
        }
    }
}
