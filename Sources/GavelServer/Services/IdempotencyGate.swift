import Crypto
import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Makes seller POSTs safe to retry: with an `Idempotency-Key` header, the same key and body
/// return the first response (and sell nothing twice), the same key with another body is a 409.
/// Keys are stored durably, so this holds across restarts.
struct IdempotencyGate: Sendable {
    let store: any IdempotencyStore
    let clock: any WallClock

    /// The longest key accepted.
    static let maxKeyLength = 200

    /// Runs `work` once per key and body; without a key, just runs it. A form body is
    /// fingerprinted apart from a JSON body of the same bytes.
    func run(
        _ request: Request, body: [UInt8], sellerID: String, form: Bool = false,
        work: @Sendable () async throws -> JSONValue
    ) async throws -> Response {
        guard let key = request.headers[Self.header] else { return JSONIO.response(try await work()) }
        guard !key.isEmpty, key.utf8.count <= Self.maxKeyLength, key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.invalid(field: "Idempotency-Key", "must be 1-\(Self.maxKeyLength) visible ASCII characters (no spaces)")
        }
        let fingerprint = Self.fingerprint(path: request.uri.path + (form ? " form" : ""), body: body)
        switch try await store.claimIdempotencyKey(sellerID: sellerID, key: key, fingerprint: fingerprint, at: clock.now()) {
        case .replay(let status, let stored):
            var response = Response(
                status: HTTPResponse.Status(code: status), headers: [.contentType: Self.contentType(status)],
                body: .init(byteBuffer: ByteBuffer(bytes: stored)))
            response.headers[Self.replayed] = "true"
            return response
        case .mismatch: throw Problem.conflict("This Idempotency-Key was already used with another request body.")
        case .inProgress: throw Problem.conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
        case .fresh: return try await complete(store, key: key, sellerID: sellerID, work: work)
        }
    }

    private func complete(
        _ store: any IdempotencyStore, key: String, sellerID: String, work: @Sendable () async throws -> JSONValue
    ) async throws -> Response {
        let status: HTTPResponse.Status
        let body: JSONValue
        do {
            body = try await work()
            status = .ok
        } catch let problem as Problem where problem.status.code < 500 {
            try await store.completeIdempotencyKey(
                sellerID: sellerID, key: key, status: Int(problem.status.code), body: JSONWriter.bytes(problem.json))
            throw problem
        } catch {
            let problem = Self.clientProblem(error)
            if let problem {
                try await store.completeIdempotencyKey(
                    sellerID: sellerID, key: key, status: Int(problem.status.code), body: JSONWriter.bytes(problem.json))
                throw problem
            }
            try? await store.abandonIdempotencyKey(sellerID: sellerID, key: key)
            throw error
        }
        try await store.completeIdempotencyKey(sellerID: sellerID, key: key, status: Int(status.code), body: JSONWriter.bytes(body))
        return JSONIO.response(body, status: status)
    }

    /// The 4xx problem an error maps to, which is stored and replayed like a success.
    private static func clientProblem(_ error: any Error) -> Problem? {
        switch error {
        case let failure as ValidationFailure: return .invalid(failure)
        case let error as ExchangeError:
            let problem = ProblemMiddleware<GavelRequestContext>.problem(for: error)
            return problem.status.code < 500 ? problem : nil
        default: return nil
        }
    }

    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    static func contentType(_ status: Int) -> String {
        status >= 400 ? "application/problem+json" : "application/json"
    }

    static func fingerprint(path: String, body: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(path.utf8))
        hasher.update(data: [0])
        hasher.update(data: body)
        return hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
