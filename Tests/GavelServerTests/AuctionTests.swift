import Foundation
import GavelCore
import GavelServer
import GavelSim
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("The auction, end to end with real sandbox buyers")
struct AuctionTests {
    static func money(_ text: String) -> Money { Money(Number(text: text)!)! }
    static func wire(_ text: String) -> JSONValue { .number(Number(text: text)!) }

    @Test func highestBidWinsAndOnlyTheWinnerGetsTheFullLead() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "0.8")
            let low = try await market.remote("low", .bidding(Self.money("9")))
            let high = try await market.remote("high", .bidding(Self.money("12.5")))
            let mid = try await market.remote("mid", .bidding(Self.money("11")))
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.status == .ok)
            #expect(sold.body["status"] == "sold")
            #expect(sold.body["buyer"] == "high")
            #expect(sold.body["price"] == Self.wire("10"))  // 12.50 × 0.8
            #expect(sold.body["reason"] == .null)
            #expect(high.posts.count == 1)
            #expect(low.posts.isEmpty && mid.posts.isEmpty)
            let post = try #require(high.posts.first)
            #expect(post.fields["phone"] == "4155550100")
            #expect(post.json?["price"] == Self.wire("12.5"))
            #expect(post.json?["lead_id"] == sold.body["lead_id"])
            for buyer in [low, high, mid] {
                #expect(buyer.pings.count == 1)
                #expect(Set(buyer.pings[0].fields.keys).isDisjoint(with: autoPII), "ping to \(buyer.name) carried PII")
                #expect(buyer.pings[0].json?["seller"] != "S1", "the seller's id must be aliased")
                #expect(buyer.pings[0].signatureVerified)
            }
            #expect(post.signatureVerified)
        }
    }

    @Test func noPingBodyContainsAPersonalFieldOrItsHash() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            let buyers = [
                try await market.remote("a", .bidding(Self.money("5"))), try await market.remote("b", .bidding(Self.money("6"))),
            ]
            for n in 0..<5 {
                _ = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(n), email: "ada\(n)@example.com"))
            }
            let hasher = SHA256Probe()
            for ping in buyers.flatMap(\.pings) {
                for pii in ["Ada", "Lovelace", "Analytical", "example.com"] { #expect(!ping.bodyText.contains(pii)) }
                for n in 0..<5 {
                    #expect(!ping.bodyText.contains(phone(n)))
                    #expect(!ping.bodyText.contains(hasher.hex("1" + phone(n))))
                }
            }
        }
    }

    @Test func secondPriceClearing() async throws {
        try await withMarket { client, market, _ in
            try await market.settings(["auction": "second_price"])
            let key = try await market.seller("S1", share: "1")
            let winner = try await market.remote("w", .bidding(Self.money("20")))
            _ = try await market.remote("r", .bidding(Self.money("15.5")))
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.body["buyer"] == "w")
            #expect(sold.body["price"] == Self.wire("15.51"))
            #expect(winner.posts.first?.json?["price"] == Self.wire("15.51"))
            // Alone, the winner pays the floor (auto_insurance: 2.00) plus a cent.
            market.buyers.buyer("r")?.set(.noBid)
            let alone = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(1)))
            #expect(alone.body["price"] == Self.wire("2.01"))
        }
    }

    @Test func bidsBelowTheFloorDoNotSell() async throws {
        try await withMarket { client, market, _ in
            try await market.settings(["floors": ["auto_insurance": 10]])
            let key = try await market.seller("S1")
            let cheap = try await market.remote("cheap", .bidding(Self.money("9.99")))
            let result = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(result.body["status"] == "unsold")
            #expect(result.body["reason"] == "bids_below_floor")
            #expect(result.body["price"] == 0)
            #expect(cheap.posts.isEmpty)
        }
    }

    @Test func sellerMultiplierAndMaxBidShapeTheBids() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            // 10 × 1.5 = 15 beats 14; max_bid caps the other at 6 for this seller.
            _ = try await market.remote(
                "boosted", .bidding(Self.money("10")), extra: ["sellers": ["bid_multiplier": ["S1": .number(Number(text: "1.5")!)]]])
            _ = try await market.remote("plain", .bidding(Self.money("14")))
            _ = try await market.remote("capped", .bidding(Self.money("30")), extra: ["sellers": ["max_bid": ["S1": 6]]])
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.body["buyer"] == "boosted")
            #expect(sold.body["price"] == Self.wire("15"))
        }
    }

    @Test func aLateBuyerCannotWinAndDoesNotDelayTheAnswer() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            var slow = SandboxBuyer.Behavior.bidding(Self.money("50"))
            slow.latency = .fixed(.seconds(10))
            let late = try await market.remote("late", slow, timeoutMS: 200)
            _ = try await market.remote("prompt", .bidding(Self.money("8")))
            let started = ContinuousClock.now
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            let took = started.duration(to: .now)
            #expect(sold.body["buyer"] == "prompt")
            #expect(took < .milliseconds(6_000), "the answer waited for the late buyer or the last deadline: \(took)")
            #expect(late.posts.isEmpty)
            let lead = try await client.call(.get, "/v1/leads/\(sold.body["lead_id"]!.stringValue!)", key: adminToken)
            let answers = (lead.body["timeline"]?.arrayValue ?? []).filter { $0["event"] == "ping" && $0["campaign"] == "late" }
            #expect(answers.first?["answer"] == "timeout")
        }
    }

    @Test func junkErrorsStringsAndNegativeBidsAreNoBidsWhileTheAuctionSells() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            _ = try await market.remote("junk", .failing(.junkBody))
            _ = try await market.remote("broken", .failing(.httpStatus(500)))
            _ = try await market.remote("stringy", .failing(.stringBid))
            _ = try await market.remote("negative", .failing(.negativeBid))
            _ = try await market.remote("honest", .bidding(Self.money("7")))
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.body["status"] == "sold")
            #expect(sold.body["buyer"] == "honest")
            let lead = try await client.call(.get, "/v1/leads/\(sold.body["lead_id"]!.stringValue!)", key: adminToken)
            var kinds: [String: String] = [:]
            for event in lead.body["timeline"]?.arrayValue ?? [] where event["event"] == "ping" {
                kinds[event["campaign"]!.stringValue!] = event["answer"]?.stringValue
            }
            #expect(
                kinds == [
                    "junk": "malformed", "broken": "http_status", "stringy": "invalid_price", "negative": "invalid_price", "honest": "bid",
                ])
        }
    }

    @Test func theCascadePostsInBidOrderAndStopsAtTheFirstAccept() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            var rejecting = SandboxBuyer.Behavior.bidding(Self.money("30"))
            rejecting.postOutcome = .reject(reason: "not in service area")
            let first = try await market.remote("first", rejecting)
            var duplicate = SandboxBuyer.Behavior.bidding(Self.money("25"))
            duplicate.postOutcome = .duplicate
            let second = try await market.remote("second", duplicate)
            var failing = SandboxBuyer.Behavior.bidding(Self.money("22"))
            failing.postFault = .httpStatus(500)
            let third = try await market.remote("third", failing)
            let fourth = try await market.remote("fourth", .bidding(Self.money("20")))
            let fifth = try await market.remote("fifth", .bidding(Self.money("10")))
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.body["buyer"] == "fourth")
            #expect(sold.body["price"] == Self.wire("20"))
            #expect([first, second, third, fourth].allSatisfy { $0.posts.count == 1 })
            #expect(fifth.posts.isEmpty)
            let order = [first, second, third, fourth].map { $0.posts[0].arrival }
            #expect(order == order.sorted())
            let lead = try await client.call(.get, "/v1/leads/\(sold.body["lead_id"]!.stringValue!)", key: adminToken)
            let posts = (lead.body["timeline"]?.arrayValue ?? []).filter { $0["event"] == "post" }
            #expect(posts.map { $0["campaign"]?.stringValue ?? "" } == ["first", "second", "third", "fourth"])
            #expect(posts.map { $0["outcome"]?.stringValue ?? "" } == ["rejected", "duplicate", "rejected", "accepted"])
            #expect(posts[2]["reason"] == "http_status_500")
        }
    }

    @Test func aDirectCampaignCatchesWhatEveryBidderRejectedAndIsNeverPinged() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1", share: "1")
            var rejecting = SandboxBuyer.Behavior.bidding(Self.money("30"))
            rejecting.postOutcome = .reject(reason: "full")
            _ = try await market.remote("picky", rejecting)
            let catcher = try await market.direct("catcher", price: "4")
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.body["buyer"] == "catcher")
            #expect(sold.body["price"] == Self.wire("4"))
            #expect(catcher.pings.isEmpty)
            #expect(catcher.posts.count == 1)
        }
    }

    @Test func hybridAllocationSendsAboutItsShare() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            try await market.hosted("auction", base: "20", extra: ["dedupe_days": 0])
            _ = try await market.direct("house", price: "5", extra: ["allocation": .number(Number(text: "0.3")!)])
            try await market.settings(["dedupe_days": 0])
            let total = 300
            var toHouse = 0
            for n in 0..<total {
                let result = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(n)))
                if result.body["buyer"] == "house" { toHouse += 1 }
            }
            // Binomial(300, 0.3): mean 90, sd ≈ 7.9; ±4 sd.
            #expect((58...122).contains(toHouse), "allocated \(toHouse) of \(total)")
        }
    }

    @Test func twentySlowBuyersAreAuctionedInParallel() async throws {
        try await withMarket { client, market, _ in
            let key = try await market.seller("S1")
            for n in 0..<20 {
                var behavior = SandboxBuyer.Behavior.bidding(Money(cents: Int64(500 + n)))
                behavior.latency = .fixed(.milliseconds(300))
                _ = try await market.remote("slow\(n)", behavior)
            }
            _ = try await client.call(.post, "/v1/leads", key: key, json: autoLead(phone: phone(999)))  // warm connections
            let started = ContinuousClock.now
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            let took = started.duration(to: .now)
            #expect(sold.body["buyer"] == "slow19")
            #expect(took < .milliseconds(1_900), "20 × 300 ms buyers took \(took): not parallel")
        }
    }

    @Test func aSellerSeesOnlyItsOwnLeads() async throws {
        try await withMarket { client, market, _ in
            let mine = try await market.seller("S1")
            let theirs = try await market.seller("S2")
            try await market.hosted("h", base: "9")
            let sold = try await client.call(.post, "/v1/leads", key: mine, json: autoLead())
            let id = try #require(sold.body["lead_id"]?.stringValue)
            let own = try await client.call(.get, "/v1/leads/\(id)", key: mine)
            #expect(own.status == .ok)
            #expect(own.body["status"] == "sold")
            #expect(own.body["fields"] == nil)
            #expect((own.body["timeline"]?.arrayValue ?? []).contains { $0["event"] == "ping" && $0["bid"] == nil })
            #expect(try await client.call(.get, "/v1/leads/\(id)", key: theirs).status == .notFound)
        }
    }

    @Test func invalidLeadsAre422WithEveryFieldAndStoreNothing() async throws {
        try await withMarket { client, market, exchange in
            let key = try await market.seller("S1")
            let response = try await client.call(
                .post, "/v1/leads", key: key,
                json: [
                    "vertical": "auto_insurance",
                    "fields": ["zip": "9410", "state": "ZZ", "phone": "0155550100", "first_name": "Ada", "ssn": "123"],
                ])
            #expect(response.status == .unprocessableContent)
            #expect(Set(errorFields(response.body)) == ["fields.zip", "fields.state", "fields.phone", "fields.last_name", "fields.ssn"])
            let unknown = try await client.call(.post, "/v1/leads", key: key, json: ["vertical": "boats", "fields": [:]])
            #expect(errorFields(unknown.body) == ["vertical"])
            #expect(try await client.call(.post, "/v1/leads", key: adminToken, json: autoLead()).status == .forbidden)
        }
    }
}

/// SHA-256 in tests (to prove no hash of contact data leaves the exchange).
struct SHA256Probe {
    func hex(_ text: String) -> String { SHA256ContactHasher().sha256Hex(text) }
}

@Suite("The waterfall ping tree")
struct WaterfallTests {
    @Test func triesCampaignsOneAtATimeInPriorityOrderAtTheirTierPrices() async throws {
        try await withMarket { client, market, _ in
            try await market.settings(["auction": "waterfall"])
            let key = try await market.seller("S1", share: "1")
            // Tier 1 ($25) values this lead at $20: passes. Tier 2 ($15) values it at $30: buys at $15.
            let top = try await market.remote("top", .bidding(Money(cents: 2_000)), extra: ["price": 25, "priority": 2])
            let second = try await market.remote("second", .bidding(Money(cents: 3_000)), extra: ["price": 15, "priority": 1])
            let third = try await market.remote("third", .bidding(Money(cents: 9_000)), extra: ["price": 10, "priority": 0])
            let sold = try await client.call(.post, "/v1/leads", key: key, json: autoLead())
            #expect(sold.body["buyer"] == "second")
            #expect(sold.body["price"] == 15, "the tree sells at the tier price, not at what the buyer would pay")
            #expect(top.pings.count == 1 && top.posts.isEmpty)
            #expect(second.posts.count == 1)
            #expect(third.pings.isEmpty, "the tree stops at the first taker")
            #expect(top.pings[0].arrival < second.pings[0].arrival)
        }
    }
}
