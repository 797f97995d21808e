import Testing

@testable import GavelCore

/// Response rules from JSON text, parsed as a ping's or a post's.
func readRules(_ text: String, role: Integration.Call.Role) throws -> ResponseRules {
    let log = FieldErrorLog()
    let parsed = ResponseRules.parse(try #require(JSONReader(try json(text), log: log)), role: role)
    #expect(log.errors.isEmpty, "\(log.errors)")
    return parsed
}

func reply(_ body: String, status: Int = 200, type: String? = nil) -> BuyerReply {
    BuyerReply(status: status, contentType: type, body: Array(body.utf8))
}

@Suite("Reading mapped buyers' answers")
struct ReplyReaderTests {
    @Test func jsonPingWithCaptureAndAFailureThatCarriesNoBid() throws {
        let rules = try readRules(
            #"{"accept": {"path": "response", "equals": "success"}, "price": "bid", "reason": "details", "captures": {"auction_id": "leadAuctionId"}}"#,
            role: .ping)
        let bid = ReplyReader.ping(reply(#"{"response":"success","leadAuctionId":123456,"bid":22,"details":"Thank You"}"#), rules: rules)
        #expect(bid.kind == .bid && bid.bid == Money(cents: 2200) && bid.captures == ["auction_id": 123_456] && bid.httpStatus == 200)
        let quota = ReplyReader.ping(reply(#"{"response":"failure","details":"Quota Reached"}"#), rules: rules)
        #expect(quota.kind == .noBid && quota.detail == "Quota Reached" && !quota.isFault)
        let noCapture = ReplyReader.ping(reply(#"{"response":"success","bid":22}"#), rules: rules)
        #expect(noCapture.kind == .malformed)
        let garbage = ReplyReader.ping(reply("<html>oops</html>", type: "application/json"), rules: rules)
        #expect(garbage.kind == .malformed && garbage.isFault)
        let status = ReplyReader.ping(reply("{}", status: 503), rules: rules)
        #expect(status.kind == .httpStatus && status.detail == "HTTP 503" && status.httpStatus == 503)
    }

    @Test func pricesAreExactAndBounded() throws {
        let rules = try readRules(#"{"price": "p"}"#, role: .ping)
        let cases: [(String, PingAnswer.Kind, Int64?)] = [
            (#"{"p": 12.5}"#, .bid, 1250), (#"{"p": "12.50"}"#, .bid, 1250), (#"{"p": "$1,250.00"}"#, .bid, 125_000),
            (#"{"p": 0}"#, .noBid, nil), (#"{}"#, .noBid, nil), (#"{"p": null}"#, .noBid, nil), (#"{"p": -1}"#, .invalidPrice, nil),
            (#"{"p": 1.005}"#, .invalidPrice, nil), (#"{"p": "lots"}"#, .invalidPrice, nil), (#"{"p": 1e12}"#, .invalidPrice, nil),
            (#"{"p": [1]}"#, .invalidPrice, nil),
        ]
        for (body, kind, cents) in cases {
            let answer = ReplyReader.ping(reply(body), rules: rules)
            #expect(answer.kind == kind, "\(body)")
            #expect(answer.bid?.cents == cents, "\(body)")
        }
        let inCents = try readRules(#"{"price": "p", "price_unit": "cents"}"#, role: .ping)
        #expect(ReplyReader.ping(reply(#"{"p": 1250}"#), rules: inCents).bid == Money(cents: 1250))
        #expect(ReplyReader.ping(reply(#"{"p": 12.5}"#), rules: inCents).kind == .invalidPrice)
    }

    @Test func xmlAnswersWithNestedPricesAndOnlyMatchedIsABid() throws {
        let rules = try readRules(
            #"{"format": "xml", "accept": {"path": "response.status", "equals": "Matched"}, "price": "response.process_information.best_bid", "captures": {"lead_id": "lead_id"}}"#,
            role: .ping)
        let matched = ReplyReader.ping(
            reply(
                "<response><status>Matched</status><lead_id>77</lead_id><process_information><best_bid>17.25</best_bid></process_information></response>"
            ),
            rules: rules)
        #expect(matched.kind == .bid && matched.bid == Money(cents: 1725) && matched.captures == ["lead_id": "77"])
        let unmatched = ReplyReader.ping(
            reply(
                "<response><status>Unmatched</status><lead_id>78</lead_id><process_information><best_bid>5.00</best_bid></process_information></response>"
            ),
            rules: rules)
        #expect(unmatched.kind == .noBid)
        let attributes = try readRules(#"{"format": "xml", "price": "bid.@amount", "bid_id": "@id"}"#, role: .ping)
        let answer = ReplyReader.ping(reply(#"<r id="x9"><bid amount="12.5" currency="USD"/></r>"#), rules: attributes)
        #expect(answer.bid == Money(cents: 1250) && answer.bidID == "x9")
    }

    @Test func textAnswersReadWithRegularExpressions() throws {
        let rules = try readRules(
            #"{"format": "text", "accept": {"matches": "^ACCEPTED"}, "price": {"regex": "price=([0-9.]+)"}, "captures": {"token": {"regex": "id=([A-Za-z0-9-]+)"}}}"#,
            role: .ping)
        let bid = ReplyReader.ping(reply("ACCEPTED price=12.50 id=ab-9"), rules: rules)
        #expect(bid.kind == .bid && bid.bid == Money(cents: 1250) && bid.captures == ["token": "ab-9"])
        #expect(ReplyReader.ping(reply("REJECTED price=12.50"), rules: rules).kind == .noBid)
    }

    @Test func statusRules() throws {
        let ping = try readRules(
            #"{"price": "p", "read_statuses": [200, 400], "status_outcomes": {"204": "no_bid", "429": "rejected"}}"#, role: .ping)
        #expect(ReplyReader.ping(reply(#"{"p": 3}"#, status: 400), rules: ping).kind == .bid)
        #expect(ReplyReader.ping(reply("", status: 204), rules: ping).kind == .noBid)
        #expect(ReplyReader.ping(reply("", status: 429), rules: ping).kind == .noBid)
        #expect(ReplyReader.ping(reply(#"{"p": 3}"#, status: 201), rules: ping).kind == .httpStatus)
        let post = try readRules(
            #"{"accept": {"path": "ok", "equals": true}, "status_outcomes": {"409": "duplicate", "201": "accepted"}}"#, role: .post)
        #expect(ReplyReader.post(reply("", status: 409), rules: post).outcome == .duplicate)
        #expect(ReplyReader.post(reply("", status: 201), rules: post).outcome == .accepted)
        #expect(ReplyReader.post(reply("", status: 500), rules: post).reason == "http_status_500")
    }

    @Test func anErrorThatCarriesALeadIDIsStillARejection() throws {
        let rules = try readRules(
            #"""
            {"accept": {"path": "status", "equals": "ACCEPTED"}, "duplicate": {"path": "status", "equals": "DUPLICATED"},
             "reject": {"path": "status", "equals": "ERROR"}, "price": "payout", "lead_id": "lead_id", "reason": "message"}
            """#, role: .post)
        let error = ReplyReader.post(reply(#"{"status":"ERROR","lead_id":"L-9","message":"Missing phone"}"#), rules: rules)
        #expect(error.outcome == .rejected && error.reason == "Missing phone" && error.buyerLeadID == "L-9")
        let duplicate = ReplyReader.post(reply(#"{"status":"DUPLICATED","lead_id":"L-8","message":"Duplicate lead"}"#), rules: rules)
        #expect(duplicate.outcome == .duplicate)
        let accepted = ReplyReader.post(reply(#"{"status":"ACCEPTED","lead_id":"L-7","payout":20}"#), rules: rules)
        #expect(accepted.outcome == .accepted && accepted.buyerLeadID == "L-7" && accepted.confirmedPrice == Money(cents: 2000))
        let unknown = ReplyReader.post(reply(#"{"status":"MAYBE","lead_id":"L-6"}"#), rules: rules)
        #expect(unknown.outcome == .rejected && unknown.reason == "unrecognized_answer")
        let badPrice = ReplyReader.post(reply(#"{"status":"ACCEPTED","payout":"free"}"#), rules: rules)
        #expect(badPrice.outcome == .rejected && badPrice.reason == "invalid_price")
        #expect(ReplyReader.post(reply("not json", type: "application/json"), rules: rules).reason == "malformed")
    }

    @Test func redirectURLsMustBeWebURLs() throws {
        let rules = try readRules(
            #"{"format": "xml", "accept": {"path": "result", "equals": "success"}, "redirect_url": "redirect_url"}"#, role: .post)
        let good = ReplyReader.post(
            reply("<response><result>success</result><redirect_url>https://b.example/thanks?a=1&amp;b=2</redirect_url></response>"),
            rules: rules)
        #expect(good.redirectURL == "https://b.example/thanks?a=1&b=2")
        let evil = ReplyReader.post(
            reply("<response><result>success</result><redirect_url>javascript:alert(1)</redirect_url></response>"), rules: rules)
        #expect(evil.outcome == .accepted && evil.redirectURL == nil)
    }

    @Test func aLowerConfirmedPriceIsChargedOrRejectedByTheCampaignsRule() {
        let answer = PostAnswer(outcome: .accepted, confirmedPrice: Money(cents: 1800))
        #expect(answer.settled(offered: Money(cents: 2000), policy: .accept).confirmedPrice == Money(cents: 1800))
        let refused = answer.settled(offered: Money(cents: 2000), policy: .reject)
        #expect(refused.outcome == .rejected && refused.reason == "price_lowered")
        let higher = PostAnswer(outcome: .accepted, confirmedPrice: Money(cents: 2500)).settled(
            offered: Money(cents: 2000), policy: .reject)
        #expect(higher.outcome == .accepted && higher.confirmedPrice == Money(cents: 2000), "never charged more than the bid")
        let rejected = PostAnswer(outcome: .rejected, reason: "no").settled(offered: Money(cents: 2000), policy: .reject)
        #expect(rejected.reason == "no")
    }

    @Test func contentTypeAndSniffing() throws {
        let rules = try readRules(#"{"price": "price"}"#, role: .ping)
        #expect(ReplyReader.ping(reply("<r><price>3</price></r>", type: "text/xml; charset=utf-8"), rules: rules).bid == Money(cents: 300))
        #expect(
            ReplyReader.ping(reply(#"{"price": 3}"#, type: "text/html"), rules: rules).bid == Money(cents: 300),
            "mislabeled JSON is sniffed")
        #expect(ReplyReader.ping(reply(#"  {"price": 3}"#), rules: rules).bid == Money(cents: 300))
        #expect(ReplyReader.ping(reply("<r><price>4</price></r>"), rules: rules).bid == Money(cents: 400))
    }

    @Test func nonsenseNeverCrashes() throws {
        let ping = try readRules(
            #"{"price": "a.b[3].c", "accept": {"path": "x.y", "matches": "^(a+)+$"}, "captures": {"t": {"path": "t", "regex": "(.*)"}}}"#,
            role: .ping)
        let post = try readRules(#"{"accept": {"path": "a[0]", "exists": true}, "lead_id": "@id", "redirect_url": "r"}"#, role: .post)
        let bodies = [
            "", "{", "[]", "null", "<", "<a><b></a>", String(repeating: "[", count: 5_000), "\u{0}\u{1}",
            #"{"a": {"b": [1, 2, {"c": 9}]}}"#,
        ]
        for body in bodies {
            for type in [nil, "application/json", "text/xml", "text/plain"] {
                _ = ReplyReader.ping(reply(body, type: type), rules: ping)
                _ = ReplyReader.post(reply(body, type: type), rules: post)
            }
        }
    }
}
