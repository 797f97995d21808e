import GavelCore

/// Strict reading of a JSON object the store wrote itself: any missing or mistyped member
/// means the database is corrupt, reported as ``StorageError/unavailable(_:)``.
package struct StoredObject {
    package let members: [String: JSONValue]
    package let what: String

    /// Reads an object value.
    package init(_ value: JSONValue, what: String) throws {
        guard let members = value.objectValue else { throw StorageError.unavailable("stored \(what) is not a JSON object") }
        self.members = members
        self.what = what
    }

    package func string(_ key: String) throws -> String {
        guard let text = members[key]?.stringValue else { throw corrupt(key) }
        return text
    }

    package func optionalString(_ key: String) throws -> String? {
        try optional(key) { $0.stringValue }
    }

    package func int(_ key: String) throws -> Int64 {
        guard let value = members[key]?.int64Value else { throw corrupt(key) }
        return value
    }

    package func bool(_ key: String) throws -> Bool {
        guard let flag = members[key]?.boolValue else { throw corrupt(key) }
        return flag
    }

    package func money(_ key: String) throws -> Money {
        Money(cents: try int(key))
    }

    package func optionalMoney(_ key: String) throws -> Money? {
        try optional(key) { $0.int64Value.map { Money(cents: $0) } }
    }

    package func choice<E: RawRepresentable>(_ key: String, _: E.Type) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: try string(key)) else { throw corrupt(key) }
        return value
    }

    package func object(_ key: String) throws -> [String: JSONValue] {
        guard let members = members[key]?.objectValue else { throw corrupt(key) }
        return members
    }

    package func array(_ key: String) throws -> [JSONValue] {
        guard let elements = members[key]?.arrayValue else { throw corrupt(key) }
        return elements
    }

    package func objects(_ key: String) throws -> [StoredObject] {
        try array(key).map { try StoredObject($0, what: "\(what).\(key)") }
    }

    /// A member that may be absent or `null`.
    package func optional<T>(_ key: String, _ read: (JSONValue) -> T?) throws -> T? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let result = read(value) else { throw corrupt(key) }
        return result
    }

    private func corrupt(_ key: String) -> StorageError {
        .unavailable("stored \(what) is corrupt: bad or missing '\(key)'")
    }
}
