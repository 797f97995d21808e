import GavelCore
import GavelServer
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Operator API")
struct OperatorAPITests {
    /// Creates the sellers, buyer and vertical the contract's example campaign refers to.
    static func seedParties(_ client: some TestClientProtocol) async throws {
        for seller in ["S1", "S2"] {
            let made = try await client.call(
                .post, "/v1/sellers",
                json: ["id": .string(seller), "name": "Seller \(seller)", "revenue_share": .number(Number(significand: 85, exponent: -2))])
            #expect(made.status == .created)
        }
        let buyer = try await client.call(.post, "/v1/buyers", json: ["id": "acme", "name": "Acme Insurance", "balance_limit": .null])
        #expect(buyer.status == .created)
    }

    @Test func createsReadsAndListsEachKindWithTheContractShapes() async throws {
        try await TestExchange.run { client, _ in
            let vertical: JSONValue = [
                "id": "pets", "name": "Pet insurance", "floor": .number(Number(significand: 25, exponent: -1)),
                "fields": [
                    ["name": "zip", "type": "string", "required": true, "pii": false],
                    ["name": "species", "type": "enum", "values": ["dog", "cat"]],
                    ["name": "phone", "type": "phone", "required": true, "pii": true],
                ],
            ]
            let createdVertical = try await client.call(.post, "/v1/verticals", json: vertical)
            #expect(createdVertical.status == .created)
            #expect(createdVertical.body["floor"] == .number(Number(significand: 25, exponent: -1)))
            #expect(createdVertical.body["fields"]?.arrayValue?.count == 3)
            try await Self.seedParties(client)
            let seller = try await client.call(.get, "/v1/sellers/S1")
            #expect(seller.body["revenue_share"] == .number(Number(significand: 85, exponent: -2)))
            #expect(seller.body["alias"]?.stringValue?.isEmpty == false)
            let campaign = try await client.call(.post, "/v1/campaigns", json: contractCampaign())
            #expect(campaign.status == .created)
            #expect(campaign.body["delivery"]?["secret"] == "s3cret")
            #expect(campaign.body["bid"]?["rules"]?.arrayValue?.count == 3)
            #expect(campaign.body["caps"]?["daily_spend"] == .number(Number(1500)))
            let read = try await client.call(.get, "/v1/campaigns/acme-auto-ca")
            #expect(read.status == .ok)
            #expect(read.body["delivery"]?["secret"] == .string(Campaign.maskedSecret))
            #expect(read.body["filters"] == contractCampaign()["filters"])
            #expect(read.body["schedule"]?["hours"]?["mon"] == [["09:00", "17:00"]])
            let list = try await client.call(.get, "/v1/campaigns?buyer_id=acme")
            #expect(list.body.arrayValue?.count == 1)
            let verticals = try await client.call(.get, "/v1/verticals")
            let ids = Set((verticals.body.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
            #expect(ids.isSuperset(of: ["auto_insurance", "health_insurance", "mortgage", "solar", "pets"]))
        }
    }

    @Test func configurationSurvivesARestart() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabaseFiles(path) }
        try await TestExchange.run(path: path) { client, _ in
            try await Self.seedParties(client)
            #expect(try await client.call(.post, "/v1/campaigns", json: contractCampaign()).status == .created)
        }
        try await TestExchange.run(path: path) { client, _ in
            let campaign = try await client.call(.get, "/v1/campaigns/acme-auto-ca")
            #expect(campaign.status == .ok)
            #expect(campaign.body["caps"]?["daily_leads"] == 100)
            #expect(try await client.call(.get, "/v1/buyers/acme").body["name"] == "Acme Insurance")
        }
    }

    @Test func updatesPatchesAndDeletes() async throws {
        try await TestExchange.run { client, exchange in
            try await Self.seedParties(client)
            _ = try await client.call(.post, "/v1/campaigns", json: contractCampaign())
            let paused = try await client.call(
                .patch, "/v1/campaigns/acme-auto-ca", json: ["status": "paused", "caps": ["daily_leads": 5]])
            #expect(paused.status == .ok)
            #expect(paused.body["status"] == "paused")
            #expect(paused.body["caps"]?["daily_leads"] == 5)
            #expect(paused.body["caps"]?["daily_spend"] == .number(Number(1500)))
            #expect(exchange.app.market.current.config.campaigns["acme-auto-ca"]?.delivery.secret == "s3cret")
            var replacement = contractCampaign()
            if case .object(var members) = replacement {
                members["priority"] = 7
                members["delivery"] = ["mode": "remote", "ping_url": "https://buyer.example.com/v2/ping"]
                replacement = .object(members)
            }
            let put = try await client.call(.put, "/v1/campaigns/acme-auto-ca", json: replacement)
            #expect(put.status == .ok)
            #expect(put.body["priority"] == 7)
            #expect(exchange.app.market.current.config.campaigns["acme-auto-ca"]?.delivery.secret == "s3cret")
            #expect(try await client.call(.delete, "/v1/buyers/acme").status == .conflict)
            #expect(try await client.call(.delete, "/v1/campaigns/acme-auto-ca").status == .noContent)
            #expect(try await client.call(.get, "/v1/campaigns/acme-auto-ca").status == .notFound)
            #expect(try await client.call(.delete, "/v1/buyers/acme").status == .noContent)
            #expect(try await client.call(.delete, "/v1/buyers/acme").status == .notFound)
        }
    }

    @Test func duplicateIDIsAConflict() async throws {
        try await TestExchange.run { client, _ in
            #expect(try await client.call(.post, "/v1/buyers", json: ["id": "acme"]).status == .created)
            let again = try await client.call(.post, "/v1/buyers", json: ["id": "acme"])
            #expect(again.status == .conflict)
            #expect(again.headers[.contentType] == "application/problem+json")
            #expect(again.body["status"] == 409)
        }
    }

    @Test func unparseableBodyIs400AndChangesNothing() async throws {
        try await TestExchange.run { client, exchange in
            let response = try await client.call(.post, "/v1/buyers", raw: "{\"id\": \"acme\",")
            #expect(response.status == .badRequest)
            #expect(response.body["type"]?.stringValue?.isEmpty == false)
            #expect(exchange.app.market.current.config.buyers.isEmpty)
        }
    }

    @Test(
        arguments: [
            ("unknown vertical", ["vertical": "nope"], "vertical"),
            ("buyer that does not exist", ["buyer_id": "ghost"], "buyer_id"),
            ("negative money", ["bid": ["base": -1]], "bid.base"),
            ("over-precise money", ["bid": ["base": .number(Number(significand: 12345, exponent: -3))]], "bid.base"),
            (
                "unknown operator", ["bid": ["base": 1, "rules": [["when": ["state": ["like": "C%"]], "set": 5]]]],
                "bid.rules[0].when.state.like"
            ),
            ("remote without ping_url", ["delivery": ["mode": "remote"]], "delivery.ping_url"),
            ("direct without price", ["delivery": ["mode": "direct"]], "price"),
            ("allocation outside 0..1", ["delivery": ["mode": "direct"], "price": 5, "allocation": 2], "allocation"),
            ("unknown time zone", ["caps": ["timezone": "Mars/Olympus"]], "caps.timezone"),
        ] as [(String, JSONValue, String)])
    func invalidCampaignsAre422NamingTheField(_ name: String, _ change: JSONValue, _ field: String) async throws {
        try await TestExchange.run { client, exchange in
            try await Self.seedParties(client)
            var members = contractCampaign().objectValue!
            for (key, value) in change.objectValue! { members[key] = value }
            let response = try await client.call(.post, "/v1/campaigns", json: .object(members))
            #expect(response.status == .unprocessableContent, "\(name)")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(errorFields(response.body).contains(field), "\(name): \(errorFields(response.body))")
            #expect(exchange.app.market.current.config.campaigns.isEmpty)
        }
    }

    @Test func reportsEveryBadFieldAtOnce() async throws {
        try await TestExchange.run { client, _ in
            try await Self.seedParties(client)
            var members = contractCampaign().objectValue!
            members["vertical"] = "nope"
            members["bid"] = ["base": -1, "max": .number(Number(significand: 1001, exponent: -3))]
            members["caps"] = ["timezone": "Nowhere/Land"]
            let response = try await client.call(.post, "/v1/campaigns", json: .object(members))
            #expect(response.status == .unprocessableContent)
            let fields = Set(errorFields(response.body))
            #expect(fields.isSuperset(of: ["bid.base", "bid.max", "caps.timezone"]))
        }
    }

    @Test func settingsReadAndUpdate() async throws {
        try await TestExchange.run { client, _ in
            let defaults = try await client.call(.get, "/v1/settings")
            #expect(
                defaults.body == [
                    "auction": "first_price", "default_tmax_ms": 250, "ping_ttl_s": 120,
                    "floors": ["auto_insurance": 2], "dedupe_days": 30, "max_return_rate": .null,
                    "floor_learning": "off", "floor_learning_verticals": [:], "ranking": "price", "new_seller_status": "active",
                    "pii_retention_days": .null, "ranking_options": ["rejection_cost": .number(Number(text: "0.25")!)],
                    "floor_learning_options": [
                        "segment": ["vertical", "state", "source"], "exploration": .number(Number(text: "0.05")!),
                        "min_fill_rate": .number(Number(text: "0.9")!), "max_floor": .null, "window": 500, "min_samples": 50,
                    ],
                ])
            let updated = try await client.call(.put, "/v1/settings", json: ["auction": "second_price", "floors": ["mortgage": 7]])
            #expect(updated.status == .ok)
            #expect(updated.body["auction"] == "second_price")
            #expect(updated.body["default_tmax_ms"] == 250)
            let bad = try await client.call(.put, "/v1/settings", json: ["auction": "dutch", "floors": ["nope": 1]])
            #expect(bad.status == .unprocessableContent)
            #expect(Set(errorFields(bad.body)) == ["auction"])
            let badFloor = try await client.call(.put, "/v1/settings", json: ["floors": ["nope": 1]])
            #expect(errorFields(badFloor.body) == ["floors.nope"])
            #expect(try await client.call(.get, "/v1/settings").body["auction"] == "second_price")
        }
    }

    @Test func rankingOptionsAreReadAndCheckedAndBadOnesChangeNothing() async throws {
        try await TestExchange.run { client, _ in
            let updated = try await client.call(
                .put, "/v1/settings", json: ["ranking": "quality", "ranking_options": ["rejection_cost": 1]])
            #expect(updated.status == .ok && updated.body["ranking_options"] == ["rejection_cost": 1])
            for bad: JSONValue in [
                ["ranking_options": ["rejection_cost": .number(Number(text: "1.5")!)]], ["ranking_options": ["rejection_cost": -1]],
                ["ranking_options": ["rejection_cost": .null]], ["ranking_options": ["cost": 0]], ["ranking_options": 3],
            ] {
                let refused = try await client.call(.put, "/v1/settings", json: bad)
                #expect(refused.status == .unprocessableContent, "\(bad)")
                #expect(errorFields(refused.body).allSatisfy { $0.hasPrefix("ranking_options") }, "\(refused.body)")
            }
            #expect(try await client.call(.get, "/v1/settings").body["ranking_options"] == ["rejection_cost": 1])
        }
    }
}
