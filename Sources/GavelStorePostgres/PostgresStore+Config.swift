import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore: Storage {
    // MARK: Configuration

    /// Loads all configuration, with default settings when none were ever saved.
    public func loadConfig() async throws -> MarketConfig {
        let (records, settingsBody) = try await withConnection { connection in
            let records = try await connection.all("SELECT kind, id, body FROM config ORDER BY kind, id", logger: logger).map {
                try $0.decode((String, String, String).self)
            }
            let settings = try await connection.all("SELECT body FROM settings WHERE id = 1", logger: logger).map {
                try $0.decode(String.self)
            }
            return (records, settings.first)
        }
        var config = MarketConfig(settings: try settingsBody.map(Self.settings) ?? Settings())
        for (kindName, id, body) in records {
            guard let kind = ConfigKind(rawValue: kindName) else { continue }
            config.apply(try ConfigRecord.stored(kind: kind, id: id, body: body))
        }
        return config
    }

    /// Stores a new record, journals it (sealed later) and notifies every node;
    /// ``StorageError/conflict(_:)`` when its id exists.
    public func create(_ record: ConfigRecord) async throws {
        let (kind, id, body, now) = (record.kind.rawValue, record.id, record.storedBody, clock.now().milliseconds)
        let change = ConfigChange(.create, record, at: Timestamp(milliseconds: now))
        let notified = try await rows(
            """
            WITH created AS (
                INSERT INTO config (kind, id, body, created_at, updated_at) VALUES (\(kind), \(id), \(body), \(now), \(now))
                ON CONFLICT DO NOTHING RETURNING kind),
            journaled AS (
                INSERT INTO config_journal (kind, record_id, op, body, at)
                SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM created)
            SELECT \(unescaped: Self.notifyExpression(kind)) FROM created
            """)
        if notified.isEmpty { throw StorageError.conflict(id) }
    }

    /// Replaces a record, journals it (sealed later) and notifies every node;
    /// ``StorageError/notFound(_:)`` when it does not exist.
    public func replace(_ record: ConfigRecord) async throws {
        let (kind, id, body, now) = (record.kind.rawValue, record.id, record.storedBody, clock.now().milliseconds)
        let change = ConfigChange(.replace, record, at: Timestamp(milliseconds: now))
        let notified = try await rows(
            """
            WITH replaced AS (
                UPDATE config SET body = \(body), updated_at = \(now) WHERE kind = \(kind) AND id = \(id) RETURNING kind),
            journaled AS (
                INSERT INTO config_journal (kind, record_id, op, body, at)
                SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM replaced)
            SELECT \(unescaped: Self.notifyExpression(kind)) FROM replaced
            """)
        if notified.isEmpty { throw StorageError.notFound(id) }
    }

    /// Deletes a record, journals it (sealed later) and notifies every node; `false` when it
    /// did not exist.
    public func delete(_ kind: ConfigKind, id: String) async throws -> Bool {
        let (kindName, change) = (kind.rawValue, ConfigChange.deleted(kind, id: id, at: clock.now()))
        let notified = try await rows(
            """
            WITH deleted AS (DELETE FROM config WHERE kind = \(kindName) AND id = \(id) RETURNING kind),
            journaled AS (
                INSERT INTO config_journal (kind, record_id, op, body, at)
                SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM deleted)
            SELECT \(unescaped: Self.notifyExpression(kindName)) FROM deleted
            """)
        return !notified.isEmpty
    }

    /// Replaces the settings, journals them (sealed later) and notifies every node.
    public func saveSettings(_ settings: Settings) async throws {
        let (body, now) = (StoredJSON.text(settings.json), clock.now().milliseconds)
        let change = ConfigChange.settings(settings, at: Timestamp(milliseconds: now))
        try await execute(
            """
            WITH saved AS (
                INSERT INTO settings (id, body, updated_at) VALUES (1, \(body), \(now))
                ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at RETURNING id),
            journaled AS (
                INSERT INTO config_journal (kind, record_id, op, body, at)
                SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM saved)
            SELECT \(unescaped: Self.notifyExpression("settings")) FROM saved
            """)
    }

    private static func settings(_ body: String) throws -> Settings {
        let json = try StoredJSON.value(body, what: "settings")
        return try StoredJSON.parsed(Settings.parse(json, current: Settings()), what: "settings")
    }

    // MARK: API keys

    /// Stores a new key, journals it without its hash (sealed later) and notifies every node;
    /// ``StorageError/conflict(_:)`` when its id or hash exists.
    public func createAPIKey(_ key: APIKeyRecord) async throws {
        let change = ConfigChange.keyCreated(key, at: clock.now())
        let notified = try await rows(
            """
            WITH created AS (
                INSERT INTO api_keys (id, role, subject_id, hash, prefix, label, created_at)
                VALUES (\(key.id), \(key.role.rawValue), \(key.subjectID), \(key.hash), \(key.prefix), \(key.label),
                    \(key.createdAt.milliseconds))
                ON CONFLICT DO NOTHING RETURNING id),
            journaled AS (
                INSERT INTO config_journal (kind, record_id, op, body, at)
                SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM created)
            SELECT \(unescaped: Self.notifyExpression("api_key")) FROM created
            """)
        if notified.isEmpty { throw StorageError.conflict(key.id) }
    }

    /// All keys, oldest first.
    public func apiKeys() async throws -> [APIKeyRecord] {
        let rows = try await rows("SELECT id, role, subject_id, hash, prefix, label, created_at FROM api_keys ORDER BY created_at, id")
        return try rows.map(Self.apiKey)
    }

    /// Deletes a key, journals it (sealed later) and notifies every node (which stop
    /// accepting it); `false` when it did not exist.
    public func deleteAPIKey(id: String) async throws -> Bool {
        let change = ConfigChange.keyDeleted(id: id, at: clock.now())
        let notified = try await rows(
            """
            WITH deleted AS (DELETE FROM api_keys WHERE id = \(id) RETURNING id),
            journaled AS (
                INSERT INTO config_journal (kind, record_id, op, body, at)
                SELECT \(change.kind), \(change.recordID), \(change.op.rawValue), \(change.body), \(change.at.milliseconds) FROM deleted)
            SELECT \(unescaped: Self.notifyExpression("api_key")) FROM deleted
            """)
        return !notified.isEmpty
    }

    private static func apiKey(_ row: PostgresRow) throws -> APIKeyRecord {
        let (id, roleName, subjectID, hash, prefix, label, createdAt) = try row.decode(
            (String, String, String?, String, String, String, Int64).self)
        guard let role = Role(rawValue: roleName) else { throw StorageError.unavailable("stored API key has an unknown role") }
        return APIKeyRecord(
            id: id, role: role, subjectID: subjectID, hash: hash, prefix: prefix, label: label,
            createdAt: Timestamp(milliseconds: createdAt))
    }
}
