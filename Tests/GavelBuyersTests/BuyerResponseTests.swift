import GavelBuyers
import GavelCore
import Testing

@Suite struct BuyerResponsePingTests {
    func ping(_ text: String, status: Int = 200) -> PingAnswer {
        BuyerResponse.ping(status: status, body: Array(text.utf8))
    }

    @Test func readsABidExactly() {
        let answer = ping(#"{"bid": 12.34, "bid_id": "b-7"}"#)
        #expect(answer.kind == .bid)
        #expect(answer.bid == Money(cents: 1234))
        #expect(answer.bidID == "b-7")
        #expect(ping(#"{"bid": 12.50}"#).bid == Money(cents: 1250))
        #expect(ping(#"{"bid": 1.5e1}"#).bid == Money(cents: 1500))
        #expect(ping(#"{"bid": 7}"#).bidID == nil)
        #expect(ping(#"{"bid": 7, "bid_id": 42}"#).bidID == "42")
    }

    @Test(arguments: [#"{"bid": null}"#, #"{"bid": 0}"#, #"{"bid": 0.00}"#, #"{"bid": -0}"#])
    func noBidBodies(_ body: String) {
        #expect(ping(body).kind == .noBid)
    }

    @Test func noContentIsNoBid() {
        #expect(BuyerResponse.ping(status: 204, body: []).kind == .noBid)
    }

    @Test(arguments: [
        #"{"bid": "12"}"#, #"{"bid": -5}"#, #"{"bid": 12.345}"#, #"{"bid": true}"#, #"{"bid": [1]}"#, #"{"bid": 1e400}"#,
        #"{"bid": 1000000001}"#,
    ])
    func invalidPrices(_ body: String) {
        #expect(ping(body).kind == .invalidPrice)
    }

    @Test(arguments: ["not json", "[1]", "{}", #"{"price": 3}"#, #"{"bid": 3, "bid_id": {}}"#, "", #"{"bid": 1} trailing"#])
    func malformedBodies(_ body: String) {
        #expect(ping(body).kind == .malformed)
    }

    @Test(arguments: [500, 302, 404, 101, 400])
    func nonSuccessStatuses(_ status: Int) {
        let answer = ping(#"{"bid": 10}"#, status: status)
        #expect(answer.kind == .httpStatus)
        #expect(answer.detail == "HTTP \(status)")
    }
}

@Suite struct BuyerResponsePostTests {
    func post(_ text: String, status: Int = 200) -> Result<PostAnswer, PostFailure> {
        BuyerResponse.post(status: status, body: Array(text.utf8))
    }

    @Test func readsVerdicts() throws {
        let accepted = try post(#"{"status": "accepted", "buyer_lead_id": "X9"}"#).get()
        #expect(accepted.outcome == .accepted)
        #expect(accepted.buyerLeadID == "X9")
        let rejected = try post(#"{"status": "rejected", "reason": "outside area"}"#).get()
        #expect(rejected.outcome == .rejected)
        #expect(rejected.reason == "outside area")
        #expect(try post(#"{"status": "duplicate"}"#).get().outcome == .duplicate)
    }

    @Test(arguments: ["junk", "{}", #"{"status": "maybe"}"#, #"{"status": 1}"#, #"{"status": "accepted", "buyer_lead_id": []}"#])
    func malformedVerdicts(_ body: String) {
        #expect(post(body) == .failure(.malformed))
    }

    @Test func statusesAreFailures() {
        #expect(post("", status: 500) == .failure(.httpStatus(500)))
        #expect(post("", status: 302) == .failure(.httpStatus(302)))
        #expect(post("", status: 204) == .failure(.malformed))
    }

    @Test func failureReasons() {
        #expect(PostFailure.httpStatus(503).reason == "http_status_503")
        #expect(PostFailure.timeout.reason == "timeout")
        #expect(PostFailure.tooLarge.reason == "too_large")
        #expect(PostFailure.connectError.reason == "connect_error")
        #expect(PostFailure.malformed.reason == "malformed")
        #expect(BuyerResponse.rejected(.timeout) == PostAnswer(outcome: .rejected, reason: "timeout"))
    }
}
