import Foundation
import GavelCore

/// RFC 4180 CSV: a header row, CRLF line ends, fields quoted when they hold a comma, a quote or a
/// line break (quotes doubled).
enum CSV {
    /// The document for a header and rows.
    static func document(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map(line).joined()
    }

    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON value as a CSV cell: strings bare, numbers and booleans as JSON, null empty,
    /// arrays and objects as JSON text.
    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let text)?: text
        case let other?: JSONWriter.string(other)
        }
    }
}
