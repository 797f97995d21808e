import Foundation
import GavelCore
import GavelStoreSupport
import PostgresNIO

/// Reads a `postgres://user:pass@host:port/db?sslmode=…` URL into client and connection
/// configurations.
///
/// User and password may be percent-encoded. The port defaults to 5432 and the database to the
/// user's name. `sslmode` follows libpq: `disable`; `prefer` (the default) and `require`
/// encrypt without checking the certificate (libpq's meaning of both); `verify-ca` checks the
/// certificate chain and `verify-full` the host name too. Errors never repeat the password.
struct PostgresURL {
    /// Whether and how to use TLS.
    enum Encryption {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String
    let encryption: Encryption

    /// Reads a URL.
    init(_ text: String) throws {
        guard let parts = URLComponents(string: text), ["postgres", "postgresql"].contains(parts.scheme?.lowercased() ?? "") else {
            throw StorageError.unavailable("not a postgres:// URL: \(DatabaseURL.postgres(text))")
        }
        guard let host = parts.host, !host.isEmpty, let user = parts.user, !user.isEmpty else {
            throw StorageError.unavailable("a PostgreSQL URL needs a user and a host: postgres://user:pass@host:port/db")
        }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        self.host = host
        port = parts.port ?? 5432
        self.user = user
        password = parts.password
        self.database = database.isEmpty ? user : database
        encryption = try Self.encryption(parts.queryItems ?? [])
    }

    /// The configuration of a connection pool.
    var client: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch encryption {
            case .disable: .disable
            case .prefer(let configuration): .prefer(configuration)
            case .require(let configuration): .require(configuration)
            }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// The configuration of a single connection (the start-up check).
    func connection() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch encryption {
            case .disable: .disable
            case .prefer(let configuration): .prefer(try NIOSSLContext(configuration: configuration))
            case .require(let configuration): .require(try NIOSSLContext(configuration: configuration))
            }
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// The same URL with another database name (tests make one database per test).
    static func replacingDatabase(_ text: String, with database: String) throws -> String {
        guard var parts = URLComponents(string: text) else { throw StorageError.unavailable("not a URL: \(DatabaseURL.postgres(text))") }
        parts.path = "/" + database
        guard let url = parts.string else { throw StorageError.unavailable("cannot rewrite \(DatabaseURL.postgres(text))") }
        return url
    }

    private static func encryption(_ items: [URLQueryItem]) throws -> Encryption {
        let mode = items.first { $0.name == "sslmode" }?.value ?? "prefer"
        var unchecked = TLSConfiguration.makeClientConfiguration()
        unchecked.certificateVerification = .none
        var chainOnly = TLSConfiguration.makeClientConfiguration()
        chainOnly.certificateVerification = .noHostnameVerification
        switch mode {
        case "disable": return .disable
        case "allow", "prefer": return .prefer(unchecked)
        case "require": return .require(unchecked)
        case "verify-ca": return .require(chainOnly)
        case "verify-full": return .require(.makeClientConfiguration())
        default: throw StorageError.unavailable("unknown sslmode '\(mode)' (disable, prefer, require, verify-ca, verify-full)")
        }
    }
}
