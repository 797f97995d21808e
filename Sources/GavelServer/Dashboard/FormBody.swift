import Foundation

/// The fields of an `application/x-www-form-urlencoded` body or query string: `+` is a space,
/// `%XX` a byte; a name given twice keeps its first value; malformed escapes are kept as typed.
struct FormBody: Sendable, Hashable {
    /// The fields by name.
    var fields: [String: String]

    /// The most a dashboard form body may hold.
    static let maxBytes = 64 * 1024

    /// Parses a body.
    init(_ text: String) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty, fields[name] == nil else { continue }
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
        self.fields = fields
    }

    /// A field's value, trimmed of surrounding white space.
    subscript(_ name: String) -> String? {
        fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
