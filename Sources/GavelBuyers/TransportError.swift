import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorts the errors a connection can throw into a timeout or a connection failure with a short,
/// bounded detail (safe for records and metric labels: no URL, no body).
enum TransportError {
    /// The call result for an error thrown by the connection.
    static func classify(_ error: any Error) -> CallResult {
        if error is CancellationError { return .timeout("cancelled") }
        if let io = error as? IOError { return .failed(describe(errno: io.errnoCode)) }
        if let channel = error as? ChannelError { return .failed(describe(channel)) }
        return .failed(describeOther(error))
    }

    private static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset"
        case EHOSTUNREACH, ENETUNREACH: "host unreachable"
        case ETIMEDOUT: "connect timeout"
        case EPIPE: "broken pipe"
        default: "socket error \(code)"
        }
    }

    private static func describe(_ error: ChannelError) -> String {
        switch error {
        case .connectTimeout: "connect timeout"
        case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: "connection closed"
        default: "channel error"
        }
    }

    /// Errors of modules the gateway does not import (NIOPosix's connection errors, NIOSSL's
    /// TLS errors), told apart by their type name and description.
    private static func describeOther(_ error: any Error) -> String {
        let type = String(describing: Swift.type(of: error))
        let text = String(describing: error)
        if text.contains("DNS error") { return "dns lookup failed" }
        if text.contains("Connection refused") { return "connection refused" }
        if text.contains("Connection reset") { return "connection reset" }
        if type.contains("SSL") || type.contains("TLS") { return "tls failure" }
        if type == "NIOConnectionError" { return "connection failed" }
        return "connection failed (\(type.prefix(60)))"
    }
}
