import GavelCore

extension InMemoryStore {
    // MARK: Configuration

    /// All configuration, with default settings when none were ever saved.
    public func loadConfig() async throws -> MarketConfig {
        try locked { $0.config }
    }

    /// Stores a new record; ``StorageError/conflict(_:)`` when a record of its kind has its id.
    public func create(_ record: ConfigRecord) async throws {
        try locked { state in
            guard !state.config.contains(record.kind, id: record.id) else { throw StorageError.conflict(record.id) }
            state.config.apply(record)
        }
    }

    /// Replaces a record; ``StorageError/notFound(_:)`` when it does not exist.
    public func replace(_ record: ConfigRecord) async throws {
        try locked { state in
            guard state.config.contains(record.kind, id: record.id) else { throw StorageError.notFound(record.id) }
            state.config.apply(record)
        }
    }

    /// Deletes a record; `false` when it did not exist.
    public func delete(_ kind: ConfigKind, id: String) async throws -> Bool {
        try locked { state in
            guard state.config.contains(kind, id: id) else { return false }
            state.config.remove(kind, id: id)
            return true
        }
    }

    /// Replaces the settings.
    public func saveSettings(_ settings: Settings) async throws {
        try locked { $0.config.settings = settings }
    }

    // MARK: API keys

    /// Stores a new key; ``StorageError/conflict(_:)`` when its id or hash exists.
    public func createAPIKey(_ key: APIKeyRecord) async throws {
        try locked { state in
            guard state.apiKeys[key.id] == nil, !state.apiKeys.values.contains(where: { $0.hash == key.hash }) else {
                throw StorageError.conflict(key.id)
            }
            state.apiKeys[key.id] = key
        }
    }

    /// All keys, oldest first (then by id).
    public func apiKeys() async throws -> [APIKeyRecord] {
        try locked { state in
            state.apiKeys.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    /// Deletes a key; `false` when it did not exist.
    public func deleteAPIKey(id: String) async throws -> Bool {
        try locked { $0.apiKeys.removeValue(forKey: id) != nil }
    }
}
