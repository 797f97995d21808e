import Crypto
import GavelCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Makes seller POSTs safe to retry: with an `Idempotency-Key` header, the same key and body
/// return the first response (and sell nothing twice), the same key with another body is a 409.
/// Keys are stored durably, so this holds across restarts.
///
/// When the database fails after a key was claimed, the key's last write (its response, or
/// giving it up after a failure) is kept in ``UnfinishedKeys`` and written once the database is
/// back, so a retry with the same key then gets the first response, or runs again, instead of
/// a 409 "still being processed" for a day. A request whose work succeeded answers its result
/// even when storing the response for replays failed (its outcome is durable).
struct IdempotencyGate: Sendable {
    let store: any IdempotencyStore
    let clock: any WallClock
    let unfinished: UnfinishedKeys

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
        let id = UnfinishedKeys.ID(sellerID: sellerID, key: key)
        let body: JSONValue
        do {
            body = try await work()
        } catch {
            guard let problem = Self.clientProblem(error) else {
                await write(.abandon, for: id)
                throw error
            }
            await write(.complete(status: Int(problem.status.code), body: JSONWriter.bytes(problem.json)), for: id)
            throw problem
        }
        await write(.complete(status: 200, body: JSONWriter.bytes(body)), for: id)
        return JSONIO.response(body, status: .ok)
    }

    /// Writes a key's last write now, or keeps it for when the database is back.
    private func write(_ last: UnfinishedKeys.Write, for id: UnfinishedKeys.ID) async {
        do {
            try await last.apply(to: id, in: store)
        } catch {
            unfinished.note(last, for: id)
        }
    }

    /// The 4xx problem an error maps to, which is stored and replayed like a success.
    private static func clientProblem(_ error: any Error) -> Problem? {
        switch error {
        case let problem as Problem: return problem.status.code < 500 ? problem : nil
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

/// Idempotency keys whose last write a database failure stopped — the response to replay, or
/// giving the key up after the request failed — kept until the database takes them (see
/// ``IdempotencyGate``; the server's repair service writes them every second).
public final class UnfinishedKeys: Sendable {
    /// A seller's key.
    struct ID: Hashable, Sendable {
        var sellerID: String
        var key: String
    }

    /// A key's last write.
    enum Write: Sendable, Equatable {
        /// Store the response for replays.
        case complete(status: Int, body: [UInt8])
        /// Forget the claim, so the request can run again.
        case abandon

        /// Writes it (both writes are idempotent).
        func apply(to id: ID, in store: any IdempotencyStore) async throws {
            switch self {
            case .complete(let status, let body):
                try await store.completeIdempotencyKey(sellerID: id.sellerID, key: id.key, status: status, body: body)
            case .abandon:
                try await store.abandonIdempotencyKey(sellerID: id.sellerID, key: id.key)
            }
        }
    }

    private let writes = Locked<[ID: Write]>([:])

    /// None yet.
    public init() {}

    /// How many keys wait for their last write.
    public var count: Int { writes.withLock { $0.count } }

    /// Keeps a key's last write for later.
    func note(_ write: Write, for id: ID) {
        writes.withLock { $0[id] = write }
    }

    /// Writes what the store takes; returns how many were written.
    @discardableResult
    public func finish(_ store: any IdempotencyStore) async -> Int {
        var written = 0
        for (id, write) in writes.withLock({ $0 }) {
            guard (try? await write.apply(to: id, in: store)) != nil else { continue }
            writes.withLock { writes in if writes[id] == write { writes[id] = nil } }
            written += 1
        }
        return written
    }
}
