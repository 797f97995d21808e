/// A plausible test lead for a vertical, for trying an integration without real data: every
/// field gets a valid value of its type (the first enum value, a number within bounds, a
/// well-known ZIP, a fictitious 555 phone number).
public enum SampleLead {
    /// Fields that pass the vertical's validation.
    public static func fields(for vertical: Vertical) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for spec in vertical.fields { fields[spec.name] = value(for: spec) }
        return fields
    }

    static func value(for spec: FieldSpec) -> JSONValue {
        switch spec.kind {
        case .string: return .string(text(for: spec))
        case .integer, .number: return .number(number(for: spec))
        case .boolean: return .bool(true)
        case .enum: return .string(spec.values.first ?? "")
        case .phone: return "4155550100"
        case .email: return "test.lead@example.com"
        case .date: return "1958-07-04"
        }
    }

    private static func text(for spec: FieldSpec) -> String {
        switch spec.format {
        case .zip?: return "94105"
        case .usState?: return "CA"
        case nil: break
        }
        let known = ["first_name": "Test", "last_name": "Lead", "street_address": "1 Test Street", "city": "San Francisco"]
        return known[spec.name] ?? "test"
    }

    private static func number(for spec: FieldSpec) -> Number {
        let preferred = spec.name == "age" ? Number(67) : Number(1)
        if let minimum = spec.minimum, preferred < minimum { return minimum }
        if let maximum = spec.maximum, maximum < preferred { return maximum }
        return preferred
    }
}
