import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    // MARK: Configuration

    /// Loads all configuration, with default settings when none were ever saved.
    public func loadConfig() async throws -> MarketConfig {
        let (rows, settingsBody) = try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT kind, id, body FROM config ORDER BY kind, id")
                .map { (kind: $0["kind"] as String, id: $0["id"] as String, body: $0["body"] as String) }
            return (rows, try String.fetchOne(db, sql: "SELECT body FROM settings WHERE id = 1"))
        }
        var config = MarketConfig(settings: try settingsBody.map(Self.settings) ?? Settings())
        for row in rows {
            guard let kind = ConfigKind(rawValue: row.kind) else { continue }
            config.apply(try ConfigRecord.stored(kind: kind, id: row.id, body: row.body))
        }
        return config
    }

    /// Stores a new record; ``StorageError/conflict(_:)`` when its id exists.
    public func create(_ record: ConfigRecord) async throws {
        let (kind, id, body, now) = (record.kind.rawValue, record.id, record.storedBody, clock.now().milliseconds)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO config (kind, id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [kind, id, body, now, now])
            if db.changesCount == 0 { throw StorageError.conflict(id) }
        }
    }

    /// Replaces a record; ``StorageError/notFound(_:)`` when it does not exist.
    public func replace(_ record: ConfigRecord) async throws {
        let (kind, id, body, now) = (record.kind.rawValue, record.id, record.storedBody, clock.now().milliseconds)
        try await write { db in
            try db.execute(sql: "UPDATE config SET body = ?, updated_at = ? WHERE kind = ? AND id = ?", arguments: [body, now, kind, id])
            if db.changesCount == 0 { throw StorageError.notFound(id) }
        }
    }

    /// Deletes a record; `false` when it did not exist.
    public func delete(_ kind: ConfigKind, id: String) async throws -> Bool {
        let kindName = kind.rawValue
        return try await write { db in
            try db.execute(sql: "DELETE FROM config WHERE kind = ? AND id = ?", arguments: [kindName, id])
            return db.changesCount > 0
        }
    }

    /// Replaces the settings.
    public func saveSettings(_ settings: Settings) async throws {
        let (body, now) = (StoredJSON.text(settings.json), clock.now().milliseconds)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO settings (id, body, updated_at) VALUES (1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                    """,
                arguments: [body, now])
        }
    }

    private static func settings(_ body: String) throws -> Settings {
        let json = try StoredJSON.value(body, what: "settings")
        return try StoredJSON.parsed(Settings.parse(json, current: Settings()), what: "settings")
    }

    // MARK: API keys

    /// Stores a new key; ``StorageError/conflict(_:)`` when its id or hash exists.
    public func createAPIKey(_ key: APIKeyRecord) async throws {
        let arguments: StatementArguments = [
            key.id, key.role.rawValue, key.subjectID, key.hash, key.prefix, key.label, key.createdAt.milliseconds,
        ]
        let id = key.id
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, role, subject_id, hash, prefix, label, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """,
                arguments: arguments)
            if db.changesCount == 0 { throw StorageError.conflict(id) }
        }
    }

    /// All keys, oldest first.
    public func apiKeys() async throws -> [APIKeyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.apiKey)
        }
    }

    /// Deletes a key; `false` when it did not exist.
    public func deleteAPIKey(id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM api_keys WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    private static func apiKey(_ row: Row) throws -> APIKeyRecord {
        guard let role = Role(rawValue: row["role"]) else {
            throw StorageError.unavailable("stored API key has an unknown role")
        }
        return APIKeyRecord(
            id: row["id"], role: role, subjectID: row["subject_id"], hash: row["hash"], prefix: row["prefix"],
            label: row["label"], createdAt: Timestamp(milliseconds: row["created_at"]))
    }
}
