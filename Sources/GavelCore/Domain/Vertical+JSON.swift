extension Vertical {
    /// The wire form.
    public var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "fields": .array(fields.map(\.json)),
            "floor": floor.json, "max_sales": .number(Number(maxSales)),
        ])
    }

    /// Reads a vertical from its wire form, reporting every bad member.
    public static func parse(_ json: JSONValue, defaultID: String) -> Result<Vertical, ValidationFailure> {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { return .failure(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["id", "name", "fields", "floor", "max_sales", "created_at", "updated_at"])
        reader.rejectNulls()
        reader.ignoredTimes(["created_at", "updated_at"])
        let id = Identifier.read(reader, default: defaultID)
        let name = reader.string("name") ?? id
        let floor = reader.money("floor") ?? .zero
        let maxSales = reader.int("max_sales", in: 1...10) ?? 1
        let fields = parseFields(reader, log: log)
        if let failure = ValidationFailure(nonEmpty: log.errors) { return .failure(failure) }
        return .success(Vertical(id: id, name: name, fields: fields, floor: floor, maxSales: maxSales))
    }

    private static func parseFields(_ reader: JSONReader, log: FieldErrorLog) -> [FieldSpec] {
        guard let elements = reader.array("fields", required: true) else { return [] }
        if elements.isEmpty { reader.fail("fields", "must list at least one field") }
        var seen = Set<String>()
        var specs: [FieldSpec] = []
        for (offset, element) in elements.enumerated() {
            let path = reader.path("fields") + "[\(offset)]"
            guard let spec = FieldSpec.parse(element, path: path, log: log) else { continue }
            if !seen.insert(spec.name).inserted { log.add(path + ".name", "'\(spec.name)' appears twice") }
            specs.append(spec)
        }
        return specs
    }
}

extension FieldSpec {
    /// The wire form.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "type": .string(kind.rawValue), "required": .bool(required), "pii": .bool(pii),
        ]
        if kind == .enum { members["values"] = .array(values.map(JSONValue.string)) }
        if let format { members["format"] = .string(format.rawValue) }
        if let minimum { members["min"] = .number(minimum) }
        if let maximum { members["max"] = .number(maximum) }
        return .object(members)
    }

    static func parse(_ json: JSONValue, path: String, log: FieldErrorLog) -> FieldSpec? {
        guard let reader = JSONReader(json, path: path, log: log) else { return nil }
        reader.rejectUnknown(["name", "type", "required", "pii", "values", "format", "min", "max"])
        reader.rejectNulls()
        let name = reader.string("name", required: true, maxLength: 64)
        if let name, !Identifier.isValid(name) { reader.fail("name", "must be 1-64 letters, digits, '_', '-', '.' or ':'") }
        let kind = reader.choice("type", Kind.self, required: true)
        let values = reader.strings("values") ?? []
        if kind == .enum && values.isEmpty { reader.fail("values", "an enum field needs its values") }
        if kind != .enum && !values.isEmpty { reader.fail("values", "only enum fields have values") }
        let format = reader.choice("format", Format.self)
        let minimum = reader.value("min").flatMap {
            $0.numberValue
                ?? {
                    reader.fail("min", "must be a number")
                    return nil
                }()
        }
        let maximum = reader.value("max").flatMap {
            $0.numberValue
                ?? {
                    reader.fail("max", "must be a number")
                    return nil
                }()
        }
        guard let name, let kind else { return nil }
        return FieldSpec(
            name, kind, required: reader.bool("required") ?? false, pii: reader.bool("pii") ?? false, values: values,
            format: format, minimum: minimum, maximum: maximum)
    }
}

extension ValidationFailure {
    /// A failure when there are errors, `nil` otherwise.
    public init?(nonEmpty errors: [FieldError]) {
        guard !errors.isEmpty else { return nil }
        self.init(errors)
    }
}
