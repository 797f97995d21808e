import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A browser for dashboard tests: keeps cookies, sends forms, reads the CSRF token from pages.
final class DashboardBrowser: Sendable {
    /// A response as a browser sees it.
    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String

        /// The `Location` of a redirect.
        var location: String? { headers[.location] }
        /// The `Set-Cookie` values.
        var cookies: [String] { headers[values: .setCookie] }
    }

    let client: any TestClientProtocol
    private let jar = Locked<[String: String]>([:])

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    /// The session cookie's value, if any.
    var session: String? { jar.withLock { $0["gavel_session"] } }

    /// Sends a request with the jar's cookies and keeps the cookies it sets.
    func send(
        _ method: HTTPRequest.Method, _ path: String, form: [String: String]? = nil, headers extra: HTTPFields = [:]
    ) async throws -> Page {
        var headers = extra
        let cookie = jar.withLock { jar in jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookie.isEmpty { headers[.cookie] = cookie }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: Self.encode(form))
        }
        let page = try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
            Page(status: response.status, headers: response.headers, body: String(decoding: response.body.readableBytesView, as: UTF8.self))
        }
        keep(page.cookies)
        return page
    }

    /// A GET.
    func get(_ path: String) async throws -> Page {
        try await send(.get, path)
    }

    /// A form POST.
    func post(_ path: String, _ form: [String: String]) async throws -> Page {
        try await send(.post, path, form: form)
    }

    /// Signs in with a key through the sign-in form; returns the final response.
    @discardableResult
    func signIn(_ key: String) async throws -> Page {
        let form = try await get("/login")
        let token = try #require(Self.csrf(form.body))
        return try await post("/login", ["key": key, "csrf": token])
    }

    /// The CSRF token of the forms on a page.
    func csrf(of path: String = "/") async throws -> String {
        try #require(Self.csrf(try await get(path).body))
    }

    static func csrf(_ html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([^"]*)""#, options: .regularExpression) else { return nil }
        let match = html[range]
        return match.split(separator: "\"").dropFirst(3).first.map(String.init)
    }

    private func keep(_ cookies: [String]) {
        jar.withLock { jar in
            for cookie in cookies {
                let pair = cookie.split(separator: ";", maxSplits: 1)[0].split(
                    separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0])
                let value = pair.count > 1 ? String(pair[1]) : ""
                jar[name] = cookie.contains("Max-Age=0") || value.isEmpty ? nil : value
            }
        }
    }

    static func encode(_ form: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.sorted { $0.key < $1.key }.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}

/// A small market for the scoping tests: two sellers and two buyers with distinctive prices.
///
/// `hostedcamp` (buyer `buyer-hostedcamp`) bids 17.37 for CA leads; `remotecamp` (buyer
/// `buyer-remotecamp`) bids 23.41 for NY leads. `alphaseller` (share 0.8) sends two CA leads and
/// one NY lead (payouts 13.90 and 18.73); `betaseller` (share 0.5) sends two NY leads (11.71).
/// Every id holds an `l` or an `o`, letters that random tokens (Crockford base 32) never
/// contain, so an id found on a page was put there, not drawn by chance.
struct ScopedMarket {
    var alphaKey: String
    var betaKey: String
    var hostedBuyerKey: String
    var remoteBuyerKey: String
    /// alphaseller's leads: two CA (hostedcamp), one NY (remotecamp).
    var alphaLeads: [String]
    /// betaseller's leads (remotecamp).
    var betaLeads: [String]

    static let bids = ["17.37", "23.41"]
    static let payouts = ["13.90", "18.73", "11.71"]

    static func make(_ client: any TestClientProtocol, _ market: MarketFixture) async throws -> ScopedMarket {
        let alpha = try await market.seller("alphaseller", share: "0.8")
        let beta = try await market.seller("betaseller", share: "0.5")
        try await market.hosted("hostedcamp", base: "17.37", extra: ["filters": [["field": "state", "in": ["CA"]]]])
        try await market.remote("remotecamp", .bidding(Money(cents: 2_341)), extra: ["filters": [["field": "state", "in": ["NY"]]]])
        let hostedBuyer = try await buyerKey(client, "buyer-hostedcamp")
        let remoteBuyer = try await buyerKey(client, "buyer-remotecamp")
        var alphaLeads: [String] = []
        for (n, state) in ["CA", "CA", "NY"].enumerated() {
            alphaLeads.append(try await sell(client, key: alpha, state: state, n: n, source: n == 0 ? "<b>\"bold\"</b>" : "search"))
        }
        var betaLeads: [String] = []
        for n in 10..<12 { betaLeads.append(try await sell(client, key: beta, state: "NY", n: n, source: "social")) }
        return ScopedMarket(
            alphaKey: alpha, betaKey: beta, hostedBuyerKey: hostedBuyer, remoteBuyerKey: remoteBuyer, alphaLeads: alphaLeads,
            betaLeads: betaLeads)
    }

    static func buyerKey(_ client: any TestClientProtocol, _ buyer: String) async throws -> String {
        let key = try await client.call(.post, "/v1/api-keys", json: ["role": "buyer", "subject_id": .string(buyer)])
        return try #require(key.body["key"]?.stringValue)
    }

    static func sell(_ client: any TestClientProtocol, key: String, state: String, n: Int, source: String) async throws -> String {
        var lead = autoLead(state: state, phone: phone(700 + n))
        if case .object(var members) = lead {
            members["source"] = .string(source)
            lead = .object(members)
        }
        let result = try await client.call(.post, "/v1/leads", key: key, json: lead)
        #expect(result.body["status"] == "sold", "lead \(n): \(result.body)")
        return try #require(result.body["lead_id"]?.stringValue)
    }
}
