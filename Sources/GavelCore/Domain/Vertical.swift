/// A lead schema: the fields a lead of one kind (auto insurance, mortgage, …) carries, which of
/// them are personal, and the floor price below which no bid is taken.
public struct Vertical: Sendable, Hashable, Identifiable {
    /// The vertical's id, e.g. `auto_insurance`.
    public var id: String
    /// A human-readable name.
    public var name: String
    /// The lead's fields, in display order.
    public var fields: [FieldSpec]
    /// The lowest price a lead of this vertical sells for.
    public var floor: Money
    /// How many shared campaigns one lead may be sold to (1 means exclusive only).
    public var maxSales: Int

    /// Creates a vertical.
    public init(id: String, name: String, fields: [FieldSpec], floor: Money = .zero, maxSales: Int = 1) {
        self.id = id
        self.name = name
        self.fields = fields
        self.floor = floor
        self.maxSales = maxSales
    }

    /// The spec of a named field.
    public func field(named name: String) -> FieldSpec? {
        fields.first { $0.name == name }
    }

    /// The names of the personal fields, which never leave the exchange before a win.
    public var piiFieldNames: Set<String> {
        Set(fields.lazy.filter { $0.pii }.map { $0.name })
    }
}

/// One field of a vertical's schema.
public struct FieldSpec: Sendable, Hashable {
    /// The type a field's value must have.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Free text.
        case string
        /// A whole number.
        case integer
        /// Any number.
        case number
        /// True or false.
        case boolean
        /// One of `values`.
        case `enum`
        /// A US (NANP) phone number, normalized to 10 digits.
        case phone
        /// An email address, normalized to lower case.
        case email
        /// An ISO 8601 calendar date, normalized to `YYYY-MM-DD`.
        case date
    }

    /// An extra check on a string field's content.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// A US ZIP code: 5 digits or ZIP+4.
        case zip
        /// A US state or territory's two-letter code, normalized to upper case.
        case usState = "us_state"
    }

    /// The field's name in `fields`.
    public var name: String
    /// Its type.
    public var kind: Kind
    /// Whether a lead must carry it.
    public var required: Bool
    /// Whether it identifies a person (name, phone, email, street address, birth date).
    public var pii: Bool
    /// The allowed values of an `enum` field.
    public var values: [String]
    /// An extra content check; fields named `zip` and `state` get one by default.
    public var format: Format?
    /// The smallest allowed value of a numeric field.
    public var minimum: Number?
    /// The largest allowed value of a numeric field.
    public var maximum: Number?

    /// Creates a field spec.
    public init(
        _ name: String, _ kind: Kind, required: Bool = false, pii: Bool = false, values: [String] = [],
        format: Format? = nil, minimum: Number? = nil, maximum: Number? = nil
    ) {
        self.name = name
        self.kind = kind
        self.required = required
        self.pii = pii
        self.values = values
        self.format = format ?? Self.defaultFormat(name: name, kind: kind)
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The format implied by a well-known field name.
    static func defaultFormat(name: String, kind: Kind) -> Format? {
        guard kind == .string else { return nil }
        switch name {
        case "zip", "zip_code", "postal_code": return .zip
        case "state": return .usState
        default: return nil
        }
    }
}
