import GavelCore
import Hummingbird

/// Reading query parameters shared by reports and exports.
enum Query {
    /// The output format.
    enum Format: String, CaseIterable {
        case json
        case csv
    }

    /// `format=json|csv` (json by default).
    static func format(_ request: Request) throws -> Format {
        guard let text = request.uri.queryParameters["format"].map(String.init) else { return .json }
        guard let format = Format(rawValue: text) else { throw Problem.invalid(field: "format", "must be json or csv") }
        return format
    }

    /// `from`/`to` as RFC 3339 or `YYYY-MM-DD` (UTC); a date-only `to` includes that whole day.
    /// Defaults: the last 30 days up to now.
    static func range(_ request: Request, now: Timestamp) throws -> (from: Timestamp, to: Timestamp) {
        let parameters = request.uri.queryParameters
        var errors: [FieldError] = []
        func parse(_ name: String, endOfDay: Bool) -> Timestamp? {
            guard let text = parameters[Substring(name)].map(String.init), !text.isEmpty else { return nil }
            guard let time = Timestamp(rfc3339: text) else {
                errors.append(FieldError(field: name, message: "must be RFC 3339 (2026-11-29T10:00:00Z) or YYYY-MM-DD"))
                return nil
            }
            return endOfDay && text.utf8.count == 10 ? time.adding(milliseconds: 86_400_000) : time
        }
        let to = parse("to", endOfDay: true) ?? now.adding(milliseconds: 1)
        let from = parse("from", endOfDay: false) ?? to.minus(days: 30)
        if errors.isEmpty && from >= to { errors.append(FieldError(field: "from", message: "must be before to")) }
        if !errors.isEmpty { throw Problem.invalid(ValidationFailure(errors)) }
        return (from, to)
    }

    /// A JSON or CSV response for rows of objects with the given columns.
    static func respond(_ rows: [JSONValue], columns: [String], format: Format, name: String) -> Response {
        switch format {
        case .json:
            return JSONIO.response(.array(rows))
        case .csv:
            let body = CSV.document(header: columns, rows: rows.map { row in columns.map { CSV.cell(row[$0]) } })
            var response = JSONIO.text(body, contentType: "text/csv; charset=utf-8")
            response.headers[.contentDisposition] = "attachment; filename=\"\(name).csv\""
            return response
        }
    }
}
