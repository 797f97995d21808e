import GavelCore

/// JSON text as the store keeps it: configuration in its wire form, lead fields, consent and
/// held pings. Unreadable stored JSON is a corrupt database, reported as
/// ``StorageError/unavailable(_:)`` naming what could not be read (never its content).
package enum StoredJSON {
    /// The text of a value.
    package static func text(_ value: JSONValue) -> String {
        JSONWriter.string(value)
    }

    /// Parses stored text with the trusted limits.
    package static func value(_ text: String, what: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(Array(text.utf8), limits: .trusted)
        } catch {
            throw StorageError.unavailable("stored \(what) is not valid JSON: \(error.message)")
        }
    }

    /// Parses stored text that must be an object.
    package static func object(_ text: String, what: String) throws -> [String: JSONValue] {
        guard let members = try value(text, what: what).objectValue else {
            throw StorageError.unavailable("stored \(what) is not a JSON object")
        }
        return members
    }

    /// Unwraps a parser's result, reporting a failure as a corrupt record.
    package static func parsed<T>(_ result: Result<T, ValidationFailure>, what: String) throws -> T {
        switch result {
        case .success(let value): return value
        case .failure(let failure):
            let fields = failure.errors.map(\.field).joined(separator: ", ")
            throw StorageError.unavailable("stored \(what) no longer parses (\(fields))")
        }
    }
}

extension ConfigRecord {
    /// The stored body: the wire form, with a campaign's secret revealed so it survives.
    package var storedBody: String {
        switch self {
        case .vertical(let value): StoredJSON.text(value.json)
        case .seller(let value): StoredJSON.text(value.json)
        case .buyer(let value): StoredJSON.text(value.json)
        case .campaign(let value): StoredJSON.text(value.json(revealSecret: true, revealIntegrationSecrets: true))
        }
    }

    /// Reads a stored record back through the wire parsers.
    package static func stored(kind: ConfigKind, id: String, body: String) throws -> ConfigRecord {
        let what = "\(kind.rawValue) '\(id)'"
        let json = try StoredJSON.value(body, what: what)
        switch kind {
        case .vertical: return .vertical(try StoredJSON.parsed(Vertical.parse(json, defaultID: id), what: what))
        case .seller:
            // A seller stored before statuses is active (the v3-seller-status migration writes it).
            let seller = Seller.parse(json, defaultID: id, defaultAlias: id, defaultStatus: .active)
            return .seller(try StoredJSON.parsed(seller, what: what))
        case .buyer: return .buyer(try StoredJSON.parsed(Buyer.parse(json, defaultID: id), what: what))
        case .campaign: return .campaign(try StoredJSON.parsed(Campaign.parse(json, defaultID: id), what: what))
        }
    }
}

extension ContactKeys {
    /// The stored form: `{"phones": [...], "emails": [...]}`.
    package var storedText: String {
        StoredJSON.text(
            .object(["phones": .array(phoneHashes.map(JSONValue.string)), "emails": .array(emailHashes.map(JSONValue.string))]))
    }

    /// Reads the stored form.
    package static func stored(_ text: String) throws -> ContactKeys {
        let members = try StoredJSON.object(text, what: "contact keys")
        func strings(_ key: String) -> [String] { members[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        return ContactKeys(phoneHashes: strings("phones"), emailHashes: strings("emails"))
    }
}

extension JSONValue {
    /// An integer as a JSON number (money is stored in cents, exactly).
    package static func integer(_ value: Int64) -> JSONValue {
        .number(Number(significand: value))
    }

    /// The value as an exact integer, if it is one.
    package var int64Value: Int64? {
        numberValue?.integerValue
    }
}
