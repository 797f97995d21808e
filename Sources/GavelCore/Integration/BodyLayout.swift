/// Builds request bodies from mapped members: a JSON object, an XML element tree or form
/// pairs, and finds members that collide (two values for one place).
enum BodyLayout {
    /// One member's place and value.
    typealias Member = (path: ValuePath, value: JSONValue)

    /// A JSON object from members, and the offsets of members that collided with earlier ones.
    static func json(_ members: [Member]) -> (JSONValue, conflicts: [Int]) {
        var root: JSONValue? = .object([:])
        var conflicts: [Int] = []
        for (offset, member) in members.enumerated() {
            if let next = setting(member.value, at: member.path.segments[...], in: root) {
                root = next
            } else {
                conflicts.append(offset)
            }
        }
        return (root ?? .object([:]), conflicts)
    }

    /// `target` with `value` placed at `segments`; `nil` when the place is taken or of the
    /// wrong kind.
    private static func setting(_ value: JSONValue, at segments: ArraySlice<ValuePath.Segment>, in target: JSONValue?) -> JSONValue? {
        guard let first = segments.first else { return target == nil ? value : nil }
        let rest = segments.dropFirst()
        switch first {
        case .key(let key):
            guard var members = target.map({ $0.objectValue }) ?? [:] else { return nil }
            guard let next = setting(value, at: rest, in: members[key]) else { return nil }
            members[key] = next
            return .object(members)
        case .index(let index):
            guard var elements = target.map({ $0.arrayValue }) ?? [] else { return nil }
            while elements.count <= index { elements.append(.null) }
            let current = elements[index].isNull ? nil : elements[index]
            guard let next = setting(value, at: rest, in: current) else { return nil }
            elements[index] = next
            return .array(elements)
        case .attribute:
            return nil
        }
    }

    /// An XML element named `root` from members, and the offsets of members that collided.
    static func xml(root: String, _ members: [Member]) -> (XMLElement, conflicts: [Int]) {
        var element = XMLElement(name: root)
        var conflicts: [Int] = []
        for (offset, member) in members.enumerated() where !place(member.value.plainText, at: member.path.segments[...], in: &element) {
            conflicts.append(offset)
        }
        return (element, conflicts)
    }

    /// Puts text at a path under `element`, creating elements on the way; `false` when the
    /// place already holds text or an attribute of that name.
    private static func place(_ text: String, at segments: ArraySlice<ValuePath.Segment>, in element: inout XMLElement) -> Bool {
        guard let first = segments.first else {
            guard element.children.isEmpty else { return false }
            element.children.append(.text(text))
            return true
        }
        switch first {
        case .attribute(let name):
            guard !element.attributes.contains(where: { $0.name == name }) else { return false }
            element.attributes.append(XMLAttribute(name: name, value: text))
            return true
        case .key(let name):
            var rest = segments.dropFirst()
            var occurrence = 0
            if case .index(let index)? = rest.first {
                occurrence = index
                rest = rest.dropFirst()
            }
            guard !element.hasText else { return false }
            let position = childPosition(named: name, occurrence: occurrence, in: &element)
            guard case .element(var child) = element.children[position] else { return false }
            let placed = place(text, at: rest, in: &child)
            element.children[position] = .element(child)
            return placed
        case .index:
            return false
        }
    }

    /// The position among `element`'s children of its `occurrence`-th child named `name`,
    /// appending empty ones as needed.
    private static func childPosition(named name: String, occurrence: Int, in element: inout XMLElement) -> Int {
        var seen = -1
        for (position, node) in element.children.enumerated() {
            if case .element(let child) = node, child.name == name {
                seen += 1
                if seen == occurrence { return position }
            }
        }
        while seen < occurrence {
            element.children.append(.element(XMLElement(name: name)))
            seen += 1
        }
        return element.children.count - 1
    }

    /// Records an error for each member that would collide with an earlier one.
    static func checkConflicts(_ mappings: [FieldMapping], encoding: Integration.Encoding, path: String, log: FieldErrorLog) {
        let members = mappings.map { (path: $0.path, value: JSONValue.string("x")) }
        let conflicts: [Int]
        switch encoding {
        case .json: conflicts = json(members).conflicts
        case .xml: conflicts = xml(root: "root", members).conflicts
        case .form, .none: conflicts = []
        }
        for offset in conflicts {
            log.add(path + "[\(offset)].to", "'\(mappings[offset].to)' collides with an earlier member (the same place, or inside a value)")
        }
    }
}

extension XMLElement {
    /// Whether the element holds text (a member's value) rather than only elements.
    var hasText: Bool {
        children.contains { if case .text = $0 { true } else { false } }
    }
}
