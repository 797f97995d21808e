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

    /// Stores a new record (journaled and chained); ``StorageError/conflict(_:)`` when its id
    /// exists.
    public func create(_ record: ConfigRecord) async throws {
        let (kind, id, body, now) = (record.kind.rawValue, record.id, record.storedBody, clock.now().milliseconds)
        let change = ConfigChange(.create, record, at: Timestamp(milliseconds: now))
        try await write { db in
            try db.execute(
                sql: "INSERT INTO config (kind, id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [kind, id, body, now, now])
            if db.changesCount == 0 { throw StorageError.conflict(id) }
            try SQLiteChain.journal(change, db: db)
        }
    }

    /// Replaces a record (journaled and chained); ``StorageError/notFound(_:)`` when it does
    /// not exist.
    public func replace(_ record: ConfigRecord) async throws {
        let (kind, id, body, now) = (record.kind.rawValue, record.id, record.storedBody, clock.now().milliseconds)
        let change = ConfigChange(.replace, record, at: Timestamp(milliseconds: now))
        try await write { db in
            try db.execute(sql: "UPDATE config SET body = ?, updated_at = ? WHERE kind = ? AND id = ?", arguments: [body, now, kind, id])
            if db.changesCount == 0 { throw StorageError.notFound(id) }
            try SQLiteChain.journal(change, db: db)
        }
    }

    /// Deletes a record (journaled and chained); `false` when it did not exist.
    public func delete(_ kind: ConfigKind, id: String) async throws -> Bool {
        let kindName = kind.rawValue
        let change = ConfigChange.deleted(kind, id: id, at: clock.now())
        return try await write { db in
            try db.execute(sql: "DELETE FROM config WHERE kind = ? AND id = ?", arguments: [kindName, id])
            guard db.changesCount > 0 else { return false }
            try SQLiteChain.journal(change, db: db)
            return true
        }
    }

    /// Replaces the settings (journaled and chained).
    public func saveSettings(_ settings: Settings) async throws {
        let (body, now) = (StoredJSON.text(settings.json), clock.now().milliseconds)
        let change = ConfigChange.settings(settings, at: Timestamp(milliseconds: now))
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO settings (id, body, updated_at) VALUES (1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
                    """,
                arguments: [body, now])
            try SQLiteChain.journal(change, db: db)
        }
    }

    private static func settings(_ body: String) throws -> Settings {
        let json = try StoredJSON.value(body, what: "settings")
        return try StoredJSON.parsed(Settings.parse(json, current: Settings()), what: "settings")
    }

    // MARK: API keys

    /// Stores a new key (journaled and chained, without its hash); ``StorageError/conflict(_:)``
    /// when its id or hash exists.
    public func createAPIKey(_ key: APIKeyRecord) async throws {
        let arguments: StatementArguments = [
            key.id, key.role.rawValue, key.subjectID, key.hash, key.prefix, key.label, key.createdAt.milliseconds,
        ]
        let (id, change) = (key.id, ConfigChange.keyCreated(key, at: clock.now()))
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, role, subject_id, hash, prefix, label, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """,
                arguments: arguments)
            if db.changesCount == 0 { throw StorageError.conflict(id) }
            try SQLiteChain.journal(change, db: db)
        }
    }

    /// All keys, oldest first.
    public func apiKeys() async throws -> [APIKeyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.apiKey)
        }
    }

    /// Deletes a key (journaled and chained); `false` when it did not exist.
    public func deleteAPIKey(id: String) async throws -> Bool {
        let change = ConfigChange.keyDeleted(id: id, at: clock.now())
        return try await write { db in
            try db.execute(sql: "DELETE FROM api_keys WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            try SQLiteChain.journal(change, db: db)
            return true
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
