import AsyncHTTPClient
import GavelCore
import NIOCore
import NIOHTTP1

/// A small JSON client of the exchange's HTTP API, for the demo and the benchmark: one call,
/// one parsed answer.
struct APIClient: Sendable {
    /// A failed API call, with what the server said.
    struct Failure: Error, CustomStringConvertible {
        var method: String
        var path: String
        var status: Int
        var body: String

        var description: String { "\(method) \(path) answered \(status): \(body)" }
    }

    let client: HTTPClient
    /// `http://host:port`.
    let baseURL: String

    /// Sends a request with an optional bearer key and JSON body; returns the status and the
    /// parsed body (`null` when empty, a string when not JSON).
    func call(
        _ method: HTTPMethod, _ path: String, key: String?, json: JSONValue? = nil, timeout: TimeAmount = .seconds(30)
    ) async throws -> (status: Int, body: JSONValue) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(json)))
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = Array(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        let body =
            bytes.isEmpty
            ? JSONValue.null : (try? JSONParser.parse(bytes, limits: .trusted)) ?? .string(String(decoding: bytes, as: UTF8.self))
        return (Int(response.status.code), body)
    }

    /// Like ``call(_:_:key:json:timeout:)`` but throws unless the status is 2xx.
    @discardableResult
    func require(_ method: HTTPMethod, _ path: String, key: String?, json: JSONValue? = nil) async throws -> JSONValue {
        let (status, body) = try await call(method, path, key: key, json: json)
        guard (200..<300).contains(status) else {
            throw Failure(method: method.rawValue, path: path, status: status, body: JSONWriter.string(body))
        }
        return body
    }
}
