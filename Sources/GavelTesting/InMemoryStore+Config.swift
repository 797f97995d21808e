import GavelCore

extension InMemoryStore {
    // MARK: Configuration

    /// All configuration, with default settings when none were ever saved.
    public func loadConfig() async throws -> MarketConfig {
        try locked { $0.config }
    }

    /// Stores a new record (journaled and chained); ``StorageError/conflict(_:)`` when a record
    /// of its kind has its id.
    public func create(_ record: ConfigRecord) async throws {
        let change = ConfigChange(.create, record, at: clock.now())
        try locked { state in
            guard !state.config.contains(record.kind, id: record.id) else { throw StorageError.conflict(record.id) }
            state.config.apply(record)
            state.journal(change)
        }
    }

    /// Replaces a record (journaled and chained); ``StorageError/notFound(_:)`` when it does
    /// not exist.
    public func replace(_ record: ConfigRecord) async throws {
        let change = ConfigChange(.replace, record, at: clock.now())
        try locked { state in
            guard state.config.contains(record.kind, id: record.id) else { throw StorageError.notFound(record.id) }
            state.config.apply(record)
            state.journal(change)
        }
    }

    /// Deletes a record (journaled and chained); `false` when it did not exist.
    public func delete(_ kind: ConfigKind, id: String) async throws -> Bool {
        let change = ConfigChange.deleted(kind, id: id, at: clock.now())
        return try locked { state in
            guard state.config.contains(kind, id: id) else { return false }
            state.config.remove(kind, id: id)
            state.journal(change)
            return true
        }
    }

    /// Replaces the settings (journaled and chained).
    public func saveSettings(_ settings: Settings) async throws {
        let change = ConfigChange.settings(settings, at: clock.now())
        try locked { state in
            state.config.settings = settings
            state.journal(change)
        }
    }

    // MARK: API keys

    /// Stores a new key (journaled and chained, without its hash); ``StorageError/conflict(_:)``
    /// when its id or hash exists.
    public func createAPIKey(_ key: APIKeyRecord) async throws {
        let change = ConfigChange.keyCreated(key, at: clock.now())
        try locked { state in
            guard state.apiKeys[key.id] == nil, !state.apiKeys.values.contains(where: { $0.hash == key.hash }) else {
                throw StorageError.conflict(key.id)
            }
            state.apiKeys[key.id] = key
            state.journal(change)
        }
    }

    /// All keys, oldest first (then by id).
    public func apiKeys() async throws -> [APIKeyRecord] {
        try locked { state in
            state.apiKeys.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    /// Deletes a key (journaled and chained); `false` when it did not exist.
    public func deleteAPIKey(id: String) async throws -> Bool {
        let change = ConfigChange.keyDeleted(id: id, at: clock.now())
        return try locked { state in
            guard state.apiKeys.removeValue(forKey: id) != nil else { return false }
            state.journal(change)
            return true
        }
    }
}
