/// A dotted path into a JSON or XML document: `applicant.address.zip`, `bids[0].price`,
/// `response.process_information.best_bid`, `lead.@id` (an XML attribute, last only).
///
/// In a request mapping it says where a value goes; in a response rule where a value is read.
/// In XML answers a path starts with the root element's name (`response.price`).
public struct ValuePath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Segment: Sendable, Hashable {
        /// A member of an object, or a child element.
        case key(String)
        /// An element of an array, or the n-th child element of that name (from 0).
        case index(Int)
        /// An XML attribute (only as the last step).
        case attribute(String)
    }

    /// The path as written.
    public let text: String
    /// Its steps.
    public let segments: [Segment]

    /// The path as written.
    public var description: String { text }

    init(text: String, segments: [Segment]) {
        self.text = text
        self.segments = segments
    }

    /// Reads a path; `nil` when it is empty or malformed (an empty step, a bad index, an
    /// attribute that is not last).
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 500 else { return nil }
        var segments: [Segment] = []
        for piece in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard let parsed = Self.segments(of: piece) else { return nil }
            segments += parsed
        }
        let attributes = segments.indices.filter { if case .attribute = segments[$0] { true } else { false } }
        guard !segments.isEmpty, attributes.allSatisfy({ $0 == segments.count - 1 }) else { return nil }
        self.text = text
        self.segments = segments
    }

    /// `name`, `name[2]`, `[0]`, `name[1][2]` or `@attr`.
    private static func segments(of piece: Substring) -> [Segment]? {
        if piece.hasPrefix("@") {
            let name = piece.dropFirst()
            return name.isEmpty || name.contains("[") ? nil : [.attribute(String(name))]
        }
        let name = piece.prefix { $0 != "[" }
        var rest = piece.dropFirst(name.count)
        var result: [Segment] = name.isEmpty ? [] : [.key(String(name))]
        while !rest.isEmpty {
            guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                index >= 0, index < 10_000
            else { return nil }
            result.append(.index(index))
            rest = rest[rest.index(after: close)...]
        }
        guard !result.isEmpty, !name.contains("]") else { return nil }
        return result
    }

    /// Whether the path names an XML attribute.
    public var endsInAttribute: Bool {
        if case .attribute = segments.last { return true }
        return false
    }
}
