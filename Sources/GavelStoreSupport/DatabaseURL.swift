/// Where the exchange keeps its data, as given by `--database` / `GAVEL_DATABASE`.
///
/// - `sqlite:PATH` — an SQLite file (created when missing), e.g. the default `sqlite:gavel.sqlite`.
/// - `sqlite::memory:` — a throwaway SQLite file, deleted when the store closes (tests, demos).
/// - `postgres://user:pass@host:port/db` (or `postgresql://…`) — a PostgreSQL database.
public enum DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file at a path.
    case sqlite(path: String)
    /// A temporary SQLite database that disappears when the store closes.
    case temporarySQLite
    /// A PostgreSQL connection URL, kept as given.
    case postgres(String)

    /// The contract's default, `sqlite:gavel.sqlite`.
    public static let `default` = DatabaseURL.sqlite(path: "gavel.sqlite")

    /// Why a database URL could not be read.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong, safe to print (the URL's password is never repeated).
        public var description: String
    }

    /// Parses a database URL.
    public init(_ text: String) throws(ParseError) {
        let lower = text.lowercased()
        if lower == "sqlite::memory:" {
            self = .temporarySQLite
        } else if lower.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count)).replacingPrefix("//", with: "")
            guard !path.isEmpty else { throw ParseError(description: "an sqlite: database URL needs a path, e.g. sqlite:gavel.sqlite") }
            self = .sqlite(path: path)
        } else if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            self = .postgres(text)
        } else {
            throw ParseError(description: "a database URL starts with sqlite: or postgres://")
        }
    }

    /// The URL as text, with a PostgreSQL password masked (safe for logs).
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:" + path
        case .temporarySQLite: "sqlite::memory:"
        case .postgres(let url): Self.maskingPassword(url)
        }
    }

    private static func maskingPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
