import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Reading JSON request bodies and writing JSON responses with the core's exact JSON types.
enum JSONIO {
    /// The most a request body may hold.
    static let maxBodyBytes = 1 << 20

    /// Reads the request body as JSON: 413 when over 1 MiB, 400 when not JSON, 422 when it
    /// breaks the nesting, member or string limits.
    static func body(_ request: Request, context: GavelRequestContext) async throws -> JSONValue {
        try parse(try await bytes(request, context: context))
    }

    /// How long a client may take to send a request body.
    static let bodyReadTimeout: Duration = .seconds(10)

    /// The request body's bytes: 413 when over the limit, 408 when it trickles in slower than
    /// ``bodyReadTimeout`` (a slow-loris client holds nothing for long).
    static func bytes(_ request: Request, context: GavelRequestContext) async throws -> [UInt8] {
        let limit = context.maxUploadSize
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var request = request
                return Array(try await request.collectBody(upTo: limit).readableBytesView)
            }
            group.addTask {
                // An event loop's timer: this wait is almost always cancelled at once (see EventLoopClock).
                try await EventLoopClock().sleep(for: bodyReadTimeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw Problem(
                    .requestTimeout, slug: "timeout", title: "The request body took too long", detail: "Send the body within 10 s.")
            }
            return bytes
        }
    }

    /// Parses bytes as a request document.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes, limits: .request)
        } catch {
            switch error.kind {
            case .syntax: throw Problem.unparseable(error.description)
            case .limit: throw Problem.invalid(field: "body", error.description)
            }
        }
    }

    /// A JSON response.
    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }

    /// A text response.
    static func text(_ text: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Result where Failure == ValidationFailure {
    /// The value, or a 422 problem.
    func orProblem() throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let failure): throw Problem.invalid(failure)
        }
    }
}
