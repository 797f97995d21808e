import GavelCore

/// The answers a posting guide shows, built from the exchange's own result and problem types,
/// so each example has exactly the shape the server sends.
enum PostingAnswers {
    /// An example lead id.
    static let leadID = "L01JH0EXAMPLE00000000000000"
    /// An example ping id.
    static let pingID = "P01JH0EXAMPLE00000000000000"

    /// Each lead status with what it means and an example answer.
    static func leadResults(vertical: Vertical) -> [(status: String, meaning: String, example: JSONValue)] {
        let campaign = "campaign-id"
        return [
            (
                "sold", "A buyer took the lead; `price` is your payout.",
                LeadResult(leadID: leadID, status: .sold, price: Money(cents: 1_275), buyers: [campaign], reason: nil, elapsedMS: 182).json
            ),
            (
                "unsold",
                "Nobody bought it; `reason` is `no_eligible_buyers`, `no_bids`, `bids_below_floor` or `all_buyers_rejected`.",
                LeadResult(leadID: leadID, status: .unsold, price: .zero, buyers: [], reason: "no_bids", elapsedMS: 251).json
            ),
            (
                "duplicate", "The same consumer (phone or email) was sold recently; nothing was sold.",
                LeadResult(leadID: leadID, status: .duplicate, price: .zero, buyers: [], reason: "duplicate", elapsedMS: 3).json
            ),
            (
                "rejected", "A post whose non-personal fields differ from its ping's (`ping_post_mismatch`); nothing was sold.",
                LeadResult(leadID: leadID, status: .rejected, price: .zero, buyers: [], reason: "ping_post_mismatch", elapsedMS: 4).json
            ),
        ]
    }

    /// The answers of a ping: a bid, or none.
    static func pingResults(ttlSeconds: Int) -> [(status: String, example: JSONValue)] {
        let expires = Timestamp(milliseconds: 1_767_225_600_000 + Int64(ttlSeconds) * 1_000)
        return [
            ("bid", PingResult(pingID: pingID, hasBid: true, price: Money(cents: 1_100), expiresAt: expires).json),
            ("no_bid", PingResult(pingID: pingID, hasBid: false, price: .zero, expiresAt: expires).json),
        ]
    }

    /// Each error status: when it happens and an example problem.
    static func errors(vertical: Vertical, rate: Int) -> [(status: Int, when: String, example: JSONValue)] {
        let exchange = { (error: ExchangeError) in ProblemMiddleware<GavelRequestContext>.problem(for: error) }
        return [
            (400, "The body is not valid JSON or not a valid form.", Problem.unparseable("expected a value at byte 0").json),
            (400, "A key was put in the URL (`?api_key=`, `?key=`, `?token=`): refused, whatever the key.", Problem.keyInURL.json),
            (401, "No key, or an unknown or revoked key.", Problem.unauthorized.json),
            (403, "The operator paused this seller.", Problem.sellerPaused.json),
            (403, "The seller is switched off, or the key is not a seller key.", exchange(.sellerInactive).json),
            (404, "`/v1/post`: no such ping of yours.", exchange(.pingNotFound).json),
            (
                409, "`/v1/post`: the ping was already posted; or an `Idempotency-Key` reused with another body.",
                exchange(.pingAlreadyPosted).json
            ),
            (410, "`/v1/post`: the ping's bids lapsed (after `ping_ttl_s`).", exchange(.pingExpired).json),
            (413, "The body is over 1 MiB.", Problem.tooLarge.json),
            (415, "A multipart body (`curl -F`): send JSON or a URL-encoded form.", Problem.multipartUnsupported.json),
            (422, "Well-formed but invalid: `errors` names every bad field; nothing was stored.", invalid(vertical).json),
            (429, "More than the key's rate limit; wait `Retry-After` seconds.", Problem.rateLimited(rate: rate, wait: 1).json),
            (503, "The exchange is shutting down, or its database is unavailable; retry.", exchange(.unavailable).json),
        ]
    }

    /// The 422 the example lead would get with a bad phone and an unknown field.
    static func invalid(_ vertical: Vertical) -> Problem {
        var fields = SampleLead.fields(for: vertical)
        if let phone = vertical.fields.first(where: { $0.kind == .phone }) { fields[phone.name] = "555-0100" }
        fields["favorite_color"] = "blue"
        switch vertical.validate(fields: fields) {
        case .failure(let failure): return .invalid(failure)
        case .success: return .invalid(field: "fields.favorite_color", "is not a field of vertical '\(vertical.id)'")
        }
    }
}
