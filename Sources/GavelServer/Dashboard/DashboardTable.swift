import GavelCore

/// A table of a dashboard page: what the template renders and what its CSV download holds, so
/// the two always agree. Cells keep both their text for people and their plain value for CSV.
struct DashboardTable: Sendable {
    /// A column heading.
    struct Column: Sendable {
        /// The heading.
        var label: String
        /// Whether the column holds numbers (right-aligned).
        var numeric: Bool
    }

    /// One cell.
    struct Cell: Sendable {
        /// What people read (`$1,234.50`).
        var text: String
        /// What the CSV holds (`1234.50`).
        var plain: String
        /// A link, if the cell leads somewhere (a local path). Optional properties have names
        /// unique across the templates' models: Mustache looks a missing (nil) name up in the
        /// enclosing contexts.
        var link: String?
        /// Whether the cell holds a number.
        var numeric: Bool
        /// Whether the cell is the row's heading (`<th scope="row">`).
        var heading: Bool = false

        /// A text cell.
        static func text(_ text: String, link: String? = nil) -> Cell {
            Cell(text: text, plain: text, link: link, numeric: false)
        }

        /// The row's heading cell.
        static func heading(_ text: String, link: String? = nil) -> Cell {
            Cell(text: text, plain: text, link: link, numeric: false, heading: true)
        }

        /// A placeholder in a numeric column (`none`, `no cap`): aligned as a number, empty
        /// in CSV.
        static func missing(_ text: String) -> Cell {
            Cell(text: text, plain: "", link: nil, numeric: true)
        }

        /// A count.
        static func count(_ value: Int) -> Cell {
            Cell(text: DashboardFormat.count(value), plain: String(value), link: nil, numeric: true)
        }

        /// Money, or a dash when hidden.
        static func money(_ amount: Money?) -> Cell {
            Cell(text: DashboardFormat.money(amount), plain: amount?.description ?? "", link: nil, numeric: true)
        }

        /// A share of a whole.
        static func percent(_ part: Int, of whole: Int) -> Cell {
            let text = DashboardFormat.percent(part, of: whole)
            return Cell(text: text, plain: whole > 0 ? String(text.dropLast()) : "", link: nil, numeric: true)
        }

        /// Milliseconds.
        static func milliseconds(_ value: Int?) -> Cell {
            Cell(text: DashboardFormat.milliseconds(value), plain: value.map(String.init) ?? "", link: nil, numeric: true)
        }

        /// A moment, shown in the viewer's zone and exported in RFC 3339 UTC.
        static func time(_ time: Timestamp, zone: String) -> Cell {
            Cell(text: DashboardFormat.time(time, zone: zone), plain: time.rfc3339, link: nil, numeric: false)
        }
    }

    /// One row.
    struct Row: Sendable {
        /// Its cells, one per column.
        var cells: [Cell]
    }

    /// An id unique on the page (used in the CSV link).
    var id: String
    /// The table's heading.
    var title: String
    /// The columns.
    var columns: [Column]
    /// The rows.
    var rows: [Row] = []
    /// The CSV download of this table (a local path).
    var csvHref: String
    /// What to say when there are no rows.
    var emptyText: String = "Nothing yet."
    /// A sentence under the heading, if any.
    var tableNote: String?

    /// Whether there is nothing to show (for the template).
    var isEmpty: Bool { rows.isEmpty }

    /// Creates a table with columns given as labels; labels ending in `#` are numeric.
    init(id: String, title: String, columns: [String], csvHref: String, note: String? = nil) {
        self.id = id
        self.title = title
        self.columns = columns.map {
            $0.hasSuffix("#") ? Column(label: String($0.dropLast()), numeric: true) : Column(label: $0, numeric: false)
        }
        self.csvHref = csvHref
        tableNote = note
    }

    /// Adds a row.
    mutating func append(_ cells: [Cell]) {
        rows.append(Row(cells: cells))
    }

    /// The table as RFC 4180 CSV: the headings, then the plain values. A text cell that a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
    var csv: String {
        CSV.document(header: columns.map(\.label), rows: rows.map { $0.cells.map(Self.safe) })
    }

    static func safe(_ cell: Cell) -> String {
        guard !cell.numeric, let first = cell.plain.first, "=+-@\t\r".contains(first) else { return cell.plain }
        return "'" + cell.plain
    }
}

/// What a template sees of a table (Mustache reads stored properties, so the derived ones are
/// stored here).
struct TableView: Sendable {
    /// The table itself.
    var source: DashboardTable
    /// The id.
    var id: String
    /// The heading.
    var title: String
    /// The note.
    var tableNote: String?
    /// The columns.
    var columns: [DashboardTable.Column]
    /// The rows.
    var rows: [DashboardTable.Row]
    /// Whether there are no rows.
    var isEmpty: Bool
    /// What to say when empty.
    var emptyText: String
    /// The CSV link.
    var csvHref: String

    /// The view of a table.
    init(_ table: DashboardTable) {
        source = table
        id = table.id
        title = table.title
        tableNote = table.tableNote
        columns = table.columns
        rows = table.rows
        isEmpty = table.rows.isEmpty
        emptyText = table.emptyText
        csvHref = table.csvHref
    }
}
