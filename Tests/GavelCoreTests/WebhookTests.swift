import GavelCore
import Testing

/// Webhook events scoped to each owner, registration input, and the retry policy: values only.
@Suite("Webhooks: scoping, input and retries")
struct WebhookTests {
    static let at = utc(2026, 11, 30, 15)

    static var sharedSale: WebhookEvent {
        let notice = LeadNotice(
            leadID: "L1", sellerID: "S1", vertical: "auto_insurance", source: "fb", status: .sold, reason: nil, receivedAt: at,
            sales: [
                .init(campaignID: "acme-ca", buyerID: "acme", price: cents(2_000), payout: cents(1_600)),
                .init(campaignID: "zeta-ca", buyerID: "zeta", price: cents(1_500), payout: cents(1_200)),
            ])
        return WebhookEvent(id: "E1", type: .leadSold, at: at, subject: .lead(notice))
    }

    static func sold(_ owner: WebhookOwner) -> [String: JSONValue]? {
        sharedSale.payload(for: owner)?["data"]?.objectValue
    }

    /// Every text in a JSON value, keys and strings, to search for what must not be there.
    static func texts(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .number(let number): [number.description]
        case .array(let items): items.flatMap(texts)
        case .object(let members): members.flatMap { [$0.key] + texts($0.value) }
        default: []
        }
    }

    @Test func theOperatorSeesEverythingOfASale() throws {
        let data = try #require(Self.sold(.admin))
        #expect(data["seller_id"] == "S1" && data["revenue"] == dec("35") && data["payout"] == dec("28") && data["margin"] == dec("7"))
        let sales = try #require(data["sales"]?.arrayValue)
        #expect(sales.map { $0["buyer_id"] } == ["acme", "zeta"])
        #expect(sales.map { $0["price"] } == [dec("20"), dec("15")])
        let envelope = try #require(Self.sharedSale.payload(for: .admin))
        #expect(envelope["id"] == "E1" && envelope["type"] == "lead.sold" && envelope["test"] == false)
        #expect(envelope["created_at"] == "2026-11-30T15:00:00.000Z")
    }

    @Test func aSellerLearnsItsPayoutAndNeverABuyerOrAPrice() throws {
        let data = try #require(Self.sold(.seller("S1")))
        #expect(Set(data.keys) == ["lead_id", "vertical", "status", "received_at", "source", "reason", "payout"])
        #expect(data["payout"] == dec("28"))
        let said = Self.texts(.object(data))
        for secret in ["acme", "zeta", "acme-ca", "zeta-ca", "20", "15", "35", "buyer_id", "campaign_id", "price", "revenue", "margin"] {
            #expect(!said.contains(secret), "a seller's lead.sold says \(secret)")
        }
        #expect(Self.sold(.seller("S2")) == nil, "another seller hears of the lead")
    }

    @Test func aBuyerLearnsOnlyItsOwnSales() throws {
        let data = try #require(Self.sold(.buyer("zeta")))
        #expect(data["price"] == dec("15"))
        #expect(data["sales"] == [["campaign_id": "zeta-ca", "price": dec("15")]])
        let said = Self.texts(.object(data))
        for secret in ["acme", "acme-ca", "S1", "seller_id", "payout", "source", "20"] {
            #expect(!said.contains(secret), "a buyer's lead.sold says \(secret)")
        }
        #expect(Self.sold(.buyer("other")) == nil)
        let unsold = WebhookEvent(
            id: "E2", type: .leadUnsold, at: Self.at, test: true,
            subject: .lead(
                LeadNotice(
                    leadID: "L2", sellerID: "S1", vertical: "auto_insurance", source: "fb", status: .unsold, reason: "no_bids",
                    receivedAt: Self.at, sales: [])))
        #expect(unsold.payload(for: .buyer("acme")) == nil)
        #expect(unsold.payload(for: .seller("S1"))?["data"]?["reason"] == "no_bids")
        #expect(unsold.payload(for: .seller("S1"))?["test"] == true)
    }

    static let soldLead = SoldLead(
        leadID: "L1", buyerID: "acme", campaignID: "acme-ca", sellerID: "S1", price: cents(2_000), payout: cents(1_600),
        soldAt: at, returnWindowDays: 7, returned: false, test: false)

    @Test func returnsAreScopedLikeReports() throws {
        let approved = ReturnNotice(sold: Self.soldLead, reason: "wrong number at ACME", refund: cents(2_000), denial: nil)
        let returned = WebhookEvent(id: "E3", type: .leadReturned, at: Self.at, subject: .returned(approved))
        #expect(returned.payload(for: .seller("S1"))?["data"] == ["lead_id": "L1", "payout": dec("16")])
        #expect(returned.payload(for: .seller("S9")) == nil)
        #expect(returned.payload(for: .buyer("acme"))?["data"]?["refund"] == dec("20"))
        #expect(returned.payload(for: .admin)?["data"]?["buyer_id"] == "acme")
        let denied = ReturnNotice(sold: Self.soldLead, reason: "late", refund: nil, denial: "outside_return_window")
        let decided = WebhookEvent(id: "E4", type: .returnDecided, at: Self.at, subject: .returned(denied))
        #expect(decided.payload(for: .seller("S1")) == nil, "return.decided is not a seller's")
        let data = try #require(decided.payload(for: .buyer("acme"))?["data"])
        #expect(data["status"] == "denied" && data["denial_reason"] == "outside_return_window" && data["refund"] == .null)
        #expect(decided.payload(for: .buyer("zeta")) == nil)
    }

    @Test func conversionsPausesAndBalancesGoToTheirBuyer() throws {
        let conversion = WebhookEvent(
            id: "E5", type: .conversionRecorded, at: Self.at,
            subject: .conversion(ConversionNotice(sold: Self.soldLead, value: cents(9_000))))
        #expect(conversion.payload(for: .seller("S1"))?["data"] == ["lead_id": "L1"])
        #expect(conversion.payload(for: .buyer("acme"))?["data"]?["value"] == dec("90"))
        let pause = PauseNotice(
            campaignID: "acme-ca", buyerID: "acme", cause: .capReached(cap: "daily_leads", period: "2026-11-30", timezone: "UTC"))
        let paused = WebhookEvent(id: "E6", type: .campaignPaused, at: Self.at, subject: .campaignPaused(pause))
        #expect(paused.payload(for: .buyer("acme"))?["data"]?["cap"] == "daily_leads")
        #expect(paused.payload(for: .buyer("acme"))?["data"]?["buyer_id"] == nil)
        #expect(paused.payload(for: .buyer("zeta")) == nil)
        #expect(paused.payload(for: .seller("S1")) == nil)
        let low = WebhookEvent(
            id: "E7", type: .balanceLow, at: Self.at,
            subject: .balanceLow(BalanceNotice(buyerID: "acme", balance: cents(80_000), limit: cents(100_000), threshold: Rate("0.8"))))
        #expect(low.payload(for: .buyer("acme"))?["data"]?["remaining"] == dec("200"))
        #expect(low.payload(for: .buyer("zeta")) == nil)
        #expect(BalanceNotice.isLow(balance: cents(80_000), limit: cents(100_000)))
        #expect(!BalanceNotice.isLow(balance: cents(79_999), limit: cents(100_000)))
        #expect(!BalanceNotice.isLow(balance: cents(5), limit: .zero))
    }

    @Test func aFanOutScopesOneEventToEachSubscriber() throws {
        let fanOut = WebhookFanOut(
            subscribers: [
                .init(webhookID: "W-op", owner: .admin, events: [.leadSold]),
                .init(webhookID: "W-s1", owner: .seller("S1"), events: [.leadSold, .leadUnsold]),
                .init(webhookID: "W-s2", owner: .seller("S2"), events: [.leadSold]),
                .init(webhookID: "W-acme", owner: .buyer("acme"), events: [.leadUnsold]),
            ], retryWindowMS: 60_000)
        let messages = fanOut.messages(Self.sharedSale)
        #expect(messages.map(\.webhookID) == ["W-op", "W-s1"])
        #expect(Set(messages.map(\.eventID)) == ["E1"] && Set(messages.map(\.id)).count == 2)
        #expect(messages.allSatisfy { $0.retryUntil == Self.at.adding(milliseconds: 60_000) && $0.createdAt == Self.at })
        #expect(try JSONParser.parse(Array(messages[1].body.utf8)) == Self.sharedSale.payload(for: .seller("S1")))
        #expect(
            WebhookFanOut.none.messages(.leadSold, at: Self.at) {
                Issue.record("built without subscribers")
                return .lead(Self.leadNotice)
            } == [])
    }

    static let leadNotice = LeadNotice(
        leadID: "L", sellerID: "S", vertical: "v", source: "s", status: .sold, reason: nil, receivedAt: at, sales: [])

    // MARK: Registration

    @Test func aWebhookNeedsAnHTTPURLAndEventsItsRoleReceives() throws {
        let input = try success(
            WebhookInput.parse(
                ["url": "https://hooks.example/gavel", "events": ["lead.sold", "lead.unsold", "lead.sold"], "description": "CRM"],
                owner: .seller("S1")))
        #expect(input.events == [.leadSold, .leadUnsold] && input.description == "CRM")
        let refused = WebhookInput.parse(
            [
                "url": "ftp://hooks.example", "events": ["lead.sold", "return.decided", "lead.exploded", 3],
                "description": .string(String(repeating: "x", count: 201)), "secret": "mine",
            ], owner: .seller("S1"))
        #expect(
            errorPaths(refused) == ["url", "events[1]", "events[2]", "events[3]", "description", "secret"], "\(fieldErrors(refused))")
        #expect(message(refused, at: "events[1]") == "'return.decided' is not sent to seller webhooks")
        let credentials = WebhookInput.parse(
            ["url": "https://user:pass@hooks.example/x", "events": ["balance.low"]], owner: .buyer("acme"))
        #expect(message(credentials, at: "url")?.contains("credentials") == true)
        #expect(errorPaths(WebhookInput.parse(["url": "https://h.example", "events": []], owner: .admin)) == ["events"])
        #expect(errorPaths(WebhookInput.parse(["events": ["lead.sold"]], owner: .admin)) == ["url"])
    }

    @Test func aWebhookShowsItsSecretOnlyWhenCreated() {
        let webhook = Webhook(
            id: "W1", owner: .buyer("acme"), url: "https://h.example", events: [.balanceLow, .leadSold], secret: "s3cret",
            createdAt: Self.at)
        #expect(webhook.json()["secret"] == "********")
        #expect(webhook.json(revealSecret: true)["secret"] == "s3cret")
        #expect(webhook.json()["events"] == ["balance.low", "lead.sold"])
        #expect(webhook.json()["owner"] == ["role": "buyer", "id": "acme"])
        #expect(WebhookOwner.buyer("acme").isVisible(to: .admin) && !WebhookOwner.buyer("acme").isVisible(to: .buyer("zeta")))
    }

    // MARK: Retries

    static func dispatch(attempts: Int, retryUntil: Timestamp = at.adding(milliseconds: 86_400_000)) -> WebhookDispatch {
        let message = WebhookMessage(
            id: "D1", webhookID: "W1", eventID: "E1", type: .leadSold, body: "{}", createdAt: at, retryUntil: retryUntil)
        return WebhookDispatch(message: message, attempts: attempts, url: "https://h.example", secret: "s")
    }

    @Test func backoffDoublesUpToItsCapWithJitterBetweenHalfAndAll() {
        let policy = WebhookRetryPolicy()
        #expect(
            (1...12).map { policy.baseDelayMS(afterAttempt: $0) / 1_000 } == [
                10, 20, 40, 80, 160, 320, 640, 1_280, 2_560, 3_600, 3_600, 3_600,
            ])
        var random = SeededRandom(seed: 7)
        for attempt in 1...40 {
            let base = policy.baseDelayMS(afterAttempt: attempt)
            let delay = policy.delayMS(afterAttempt: attempt, random: random.next())
            #expect(delay >= base / 2 && delay <= base)
        }
        let spread = Set((0..<50).map { _ in policy.delayMS(afterAttempt: 3, random: random.next()) })
        #expect(spread.count > 40, "jitter spreads retries")
    }

    @Test func anAttemptIsDeliveredRetriedOrGivenUp() {
        let policy = WebhookRetryPolicy(firstDelay: .seconds(10), maxDelay: .seconds(60), window: .seconds(3_600))
        let now = Self.at.adding(milliseconds: 1_000)
        let ok = policy.attempt(Self.dispatch(attempts: 0), reply: .status(204), at: now, random: 0)
        #expect(ok.status == .delivered && ok.httpStatus == 204 && ok.error == nil && ok.nextAttemptAt == nil)
        let failed = policy.attempt(Self.dispatch(attempts: 2), reply: .status(503), at: now, random: .max)
        #expect(failed.status == .pending && failed.error == "http_status_503" && failed.httpStatus == 503)
        let wait = (failed.nextAttemptAt?.milliseconds ?? 0) - now.milliseconds
        #expect((20_000...40_000).contains(wait), "the third attempt waits 40 s, jittered: \(wait)")
        let refused = policy.attempt(Self.dispatch(attempts: 0), reply: .failed("connection refused"), at: now, random: 0)
        #expect(refused.status == .pending && refused.error == "connection refused" && refused.httpStatus == nil)
        let redirect = policy.attempt(Self.dispatch(attempts: 0), reply: .status(301), at: now, random: 0)
        #expect(redirect.status == .pending && redirect.error == "http_status_301")

        let until = Self.at.adding(milliseconds: 3_600_000)
        let last = policy.attempt(
            Self.dispatch(attempts: 9, retryUntil: until), reply: .status(500), at: until.adding(milliseconds: -5), random: 0)
        #expect(last.status == .pending && last.nextAttemptAt == until, "the last attempt is made at the window's end")
        let over = policy.attempt(Self.dispatch(attempts: 10, retryUntil: until), reply: .status(500), at: until, random: 0)
        #expect(over.status == .failed && over.nextAttemptAt == nil && over.error == "http_status_500")
    }
}
