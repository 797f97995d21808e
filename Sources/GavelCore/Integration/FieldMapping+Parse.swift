extension FieldMapping {
    static let keys: Set<String> = [
        "to", "from", "value", "template", "default", "map", "boolean", "date", "phone", "case", "max_length", "type",
    ]

    /// Reads a list of mappings (`query` or `body`), each checked for the call's encoding.
    static func parseList(_ reader: JSONReader, _ key: String, encoding: Integration.Encoding) -> [FieldMapping] {
        guard let elements = reader.array(key) else { return [] }
        if elements.count > 500 { reader.fail(key, "must have at most 500 members") }
        return elements.prefix(500).enumerated().compactMap { offset, element in
            JSONReader(element, path: reader.path(key) + "[\(offset)]", log: reader.log).flatMap { parse($0, encoding: encoding) }
        }
    }

    static func parse(_ reader: JSONReader, encoding: Integration.Encoding) -> FieldMapping? {
        reader.rejectUnknown(keys)
        let target = reader.string("to", required: true, maxLength: 200)
        let path = target.flatMap { targetPath($0, encoding: encoding, reader: reader) }
        let source = readSource(reader)
        let transform = ValueTransform.parse(reader)
        guard let target, let path, let source else { return nil }
        return FieldMapping(to: target, path: path, source: source, fallback: reader.value("default"), transform: transform)
    }

    /// `to` as a path: nested for JSON and XML, a plain name for forms and query strings.
    private static func targetPath(_ text: String, encoding: Integration.Encoding, reader: JSONReader) -> ValuePath? {
        switch encoding {
        case .form, .none:
            return ValuePath(literalName: text)
        case .json, .xml:
            guard let path = ValuePath(text) else {
                reader.fail("to", "must be a name or a dotted path such as applicant.zip or items[0].name")
                return nil
            }
            if encoding == .json && path.endsInAttribute { reader.fail("to", "attributes (@name) exist only in XML") }
            if encoding == .xml && !path.isXMLTarget { reader.fail("to", "each step must be an XML name (and @name only last)") }
            return path
        }
    }

    private static func readSource(_ reader: JSONReader) -> Source? {
        let given = ["from", "value", "template"].filter { reader.members[$0] != nil }
        guard given.count == 1 else {
            reader.fail(given.isEmpty ? "from" : given[1], "give exactly one of from, value or template")
            return nil
        }
        switch given[0] {
        case "from":
            guard let name = reader.string("from", required: true, maxLength: 200) else { return nil }
            guard let reference = SourceRef(name) else {
                reader.fail("from", TemplateError.unknownName(name).description)
                return nil
            }
            return .reference(reference)
        case "value":
            guard let value = reader.members["value"], !value.isNull else {
                reader.fail("value", "must not be null (leave the member out instead)")
                return nil
            }
            return .constant(value)
        default:
            return reader.template("template", required: true).map(Source.template)
        }
    }
}

extension ValuePath {
    /// A path of one key holding a name as it is (dots and brackets included), for forms and
    /// query strings.
    init?(literalName name: String) {
        guard !name.isEmpty else { return nil }
        self.init(text: name, segments: [.key(name)])
    }

    /// Whether every step is usable in XML: element names, indices, and an attribute last.
    var isXMLTarget: Bool {
        segments.allSatisfy { segment in
            switch segment {
            case .key(let name), .attribute(let name): XMLWriter.isValidName(name)
            case .index: true
            }
        }
    }
}

extension ValueTransform {
    static func parse(_ reader: JSONReader) -> ValueTransform {
        var transform = ValueTransform()
        if let map = reader.object("map") { transform.map = map.members }
        if let spellings = reader.array("boolean") {
            if spellings.count == 2 {
                transform.boolean = Spelling(whenTrue: spellings[0], whenFalse: spellings[1])
            } else {
                reader.fail("boolean", "must be [true's spelling, false's spelling], e.g. [\"Y\", \"N\"] or [\"test\", null]")
            }
        }
        if let text = reader.string("date", maxLength: 40) {
            transform.date = DatePattern(text)
            if transform.date == nil { reader.fail("date", "must be a pattern of YYYY, YY, MM, M, DD and D, e.g. MM/DD/YYYY") }
        }
        transform.phone = reader.choice("phone", PhoneFormat.self)
        transform.letterCase = reader.choice("case", LetterCase.self)
        transform.maxLength = reader.int("max_length", in: 1...100_000)
        transform.type = reader.choice("type", ValueType.self)
        return transform
    }
}
