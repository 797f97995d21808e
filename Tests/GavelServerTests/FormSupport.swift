import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A form body: name-value pairs in order, percent-encoded as curl's `--data-urlencode` does.
func formBody(_ pairs: [(String, String)]) -> String {
    pairs.map { "\(urlEncode($0.0))=\(urlEncode($0.1))" }.joined(separator: "&")
}

/// Percent-encoding of everything but the unreserved characters.
func urlEncode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

/// The auto-insurance lead of `autoLead()` as form pairs, every value as text; `extra` pairs
/// replace those of the same name.
func autoForm(phone: String = "4155550100", extra: [(String, String)] = [], test: Bool? = nil) -> [(String, String)] {
    var pairs: [(String, String)] = [
        ("vertical", "auto_insurance"), ("source", "fb-spring-7"), ("zip", "94105"), ("state", "CA"), ("age", "34"),
        ("homeowner", "yes"), ("credit_rating", "good"), ("first_name", "Ada"), ("last_name", "Lovelace"), ("phone", phone),
        ("street_address", "1 Analytical Way"), ("tcpa_text", "I agree"), ("leadid_token", "abc"),
    ]
    if let test { pairs.append(("test", test ? "true" : "false")) }
    return pairs.filter { name, _ in !extra.contains { $0.0 == name } } + extra
}

extension TestClientProtocol {
    /// Sends a body with a content type (a form by default) and a key in a header; returns
    /// status, parsed body and headers.
    @discardableResult
    func send(
        _ path: String, key: String?, body: String, contentType: String = "application/x-www-form-urlencoded",
        keyHeader: HTTPField.Name = .authorization, headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, body: JSONValue, headers: HTTPFields) {
        var headers = extra
        if let key { headers[keyHeader] = keyHeader == .authorization ? "Bearer \(key)" : key }
        headers[.contentType] = contentType
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            let bytes = Array(response.body.readableBytesView)
            let body = (try? JSONParser.parse(bytes, limits: .trusted)) ?? .string(String(decoding: bytes, as: UTF8.self))
            return (response.status, body, response.headers)
        }
    }

    /// Posts a form with a bearer key.
    @discardableResult
    func form(
        _ path: String, key: String?, _ pairs: [(String, String)], headers: HTTPFields = [:]
    ) async throws -> (
        status: HTTPResponse.Status, body: JSONValue, headers: HTTPFields
    ) {
        try await send(path, key: key, body: formBody(pairs), headers: headers)
    }
}

/// The `problem+json` type's slug (`urn:gavel:problem:<slug>`).
func problemSlug(_ body: JSONValue) -> String? {
    body["type"]?.stringValue.map { String($0.dropFirst("urn:gavel:problem:".count)) }
}
