import Testing

@testable import GavelCore

/// The campaign example of CONTRACT.md, verbatim except for the elided `"...": []` weekday (an
/// unknown weekday is an error) and the elided URLs and secret.
let contractCampaignJSON = #"""
    {"id": "acme-auto-ca", "buyer_id": "acme", "vertical": "auto_insurance", "status": "active",
     "delivery": {"mode": "remote", "ping_url": "https://buyer.example/ping", "post_url": "https://buyer.example/post",
                  "timeout_ms": 250, "post_timeout_ms": 5000, "secret": "s3cret"},
     "bid": {"base": 8.0, "max": 40.0,
             "rules": [{"when": {"state": {"in": ["CA", "NY"]}}, "set": 12.0},
                       {"when": {"age": {"lt": 25}}, "add": -2.0},
                       {"when": {"homeowner": {"eq": true}}, "multiply": 1.2}]},
     "filters": [{"field": "state", "in": ["CA", "NY", "TX"]}, {"field": "age", "gte": 21}],
     "sellers": {"allow": [], "deny": [], "bid_multiplier": {"S1": 1.1}, "max_bid": {"S2": 6.0}},
     "caps": {"timezone": "America/New_York", "daily_leads": 100, "weekly_leads": null,
              "monthly_leads": null, "daily_spend": 1500.0, "monthly_spend": null},
     "schedule": {"timezone": "America/New_York", "hours": {"mon": [["09:00", "17:00"]], "tue": []}},
     "dedupe_days": 30, "return_window_days": 7, "priority": 0, "price": null, "allocation": null}
    """#

/// Parses campaign JSON text.
func parseCampaign(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Result<Campaign, ValidationFailure> {
    Campaign.parse(try json(text, sourceLocation: sourceLocation), defaultID: "generated-id")
}

@Suite("Campaign parsing")
struct CampaignParsingTests {
    @Test func parsesTheContractExample() throws {
        let campaign = try success(parseCampaign(contractCampaignJSON))
        #expect(campaign.id == "acme-auto-ca")
        #expect(campaign.buyerID == "acme")
        #expect(campaign.vertical == "auto_insurance")
        #expect(campaign.name == "acme-auto-ca")
        #expect(campaign.status == .active)
        #expect(
            campaign.delivery
                == Campaign.Delivery(
                    mode: .remote, pingURL: "https://buyer.example/ping", postURL: "https://buyer.example/post",
                    timeoutMS: 250, postTimeoutMS: 5_000, secret: "s3cret"))
        #expect(campaign.bid.base == cents(800))
        #expect(campaign.bid.max == cents(4000))
        #expect(
            campaign.bid.rules == [
                BidPolicy.Rule(when: [Condition(field: "state", op: .in, operand: ["CA", "NY"])], action: .set(cents(1200))),
                BidPolicy.Rule(when: [Condition(field: "age", op: .lt, operand: 25)], action: .add(cents(-200))),
                BidPolicy.Rule(when: [Condition(field: "homeowner", op: .eq, operand: true)], action: .multiply(Rate("1.2"))),
            ])
        #expect(
            campaign.filters == [
                Condition(field: "state", op: .in, operand: ["CA", "NY", "TX"]),
                Condition(field: "age", op: .gte, operand: 21),
            ])
        #expect(campaign.sellers == Campaign.SellerPolicy(bidMultiplier: ["S1": Rate("1.1")], maxBid: ["S2": cents(600)]))
        #expect(campaign.caps == Campaign.Caps(timezone: "America/New_York", dailyLeads: 100, dailySpend: cents(150_000)))
        let schedule = try #require(campaign.schedule)
        #expect(schedule.timezone == "America/New_York")
        #expect(schedule.hours[0] == [Schedule.Range(start: 540, end: 1_020)])
        #expect((1...6).allSatisfy { schedule.hours[$0] == nil })
        #expect(campaign.dedupeDays == 30)
        #expect(campaign.returnWindowDays == 7)
        #expect(campaign.priority == 0)
        #expect(campaign.price == nil)
        #expect(campaign.allocation == nil)
        #expect(campaign.leadType == .exclusive)
    }

    @Test func contractExampleRoundTripsThroughItsRevealedJSON() throws {
        let campaign = try success(parseCampaign(contractCampaignJSON))
        let again = try success(Campaign.parse(campaign.json(revealSecret: true, revealIntegrationSecrets: true), defaultID: "other"))
        #expect(again == campaign)
        // And through text, as the store and the API do.
        let text = JSONWriter.string(campaign.json(revealSecret: true, revealIntegrationSecrets: true))
        #expect(try success(parseCampaign(text)) == campaign)
        #expect(JSONWriter.string(again.json(revealSecret: true, revealIntegrationSecrets: true)) == text)
    }

    @Test func everyFeatureRoundTrips() throws {
        let campaign = Campaign(
            id: "direct-1", buyerID: "b1", vertical: "solar", name: "Direct one", status: .paused,
            delivery: Campaign.Delivery(mode: .direct, postURL: "http://buyer.example:8080/leads?x=1", postTimeoutMS: 9_000, secret: "k"),
            bid: BidPolicy(
                base: cents(500), max: cents(9_000),
                rules: [
                    BidPolicy.Rule(
                        when: [
                            Condition(field: "age", op: .gte, operand: 30), Condition(field: "age", op: .lt, operand: 60),
                            Condition(field: "state", op: .notIn, operand: ["TX"]),
                        ], action: .multiply(Rate("0.123456"))),
                    BidPolicy.Rule(when: [], action: .add(cents(-1))),
                ]),
            filters: [
                Condition(field: "roof_shade", op: .ne, operand: "heavy"),
                Condition(field: "email", op: .exists, operand: false),
                Condition(field: "birth_date", op: .lte, operand: "2000-01-01"),
                Condition(field: "monthly_electric_bill", op: .gt, operand: .number(Number(significand: 995, exponent: -1))),
            ],
            sellers: Campaign.SellerPolicy(
                allow: ["S1", "S2"], deny: ["S3"], bidMultiplier: ["S1": Rate("0.9"), "S2": Rate("1.000001")],
                maxBid: ["S2": cents(1)]),
            caps: Campaign.Caps(
                timezone: "Europe/Berlin", dailyLeads: 1, weeklyLeads: 2, monthlyLeads: 3, dailySpend: cents(1),
                monthlySpend: cents(99_999)),
            schedule: Schedule(
                timezone: "America/Los_Angeles",
                hours: [
                    0: [Schedule.Range(start: 0, end: 1_440)], 1: [Schedule.Range(start: 1_320, end: 120)],
                    2: [Schedule.Range(start: 540, end: 720), Schedule.Range(start: 780, end: 1_440)], 3: [], 4: [], 5: [], 6: [],
                ]),
            dedupeDays: 0, returnWindowDays: 0, priority: -5, price: cents(1_234), allocation: Rate("0.25"), leadType: .shared)
        let again = try success(Campaign.parse(campaign.json(revealSecret: true, revealIntegrationSecrets: true), defaultID: "x"))
        #expect(again == campaign)
    }

    @Test func secretIsMaskedAndAMaskedSecretParsesAsEmpty() throws {
        let campaign = try success(parseCampaign(contractCampaignJSON))
        let masked = campaign.json()
        #expect(masked["delivery"]?["secret"] == .string(Campaign.maskedSecret))
        #expect(Campaign.maskedSecret == "********")
        #expect(!JSONWriter.string(masked).contains("s3cret"))
        #expect(campaign.json(revealSecret: true, revealIntegrationSecrets: true)["delivery"]?["secret"] == "s3cret")
        let reparsed = try success(Campaign.parse(masked, defaultID: "x"))
        #expect(reparsed.delivery.secret == "")
        var expected = campaign
        expected.delivery.secret = ""
        #expect(reparsed == expected)
    }

    @Test func defaultsForAMinimalHostedCampaign() throws {
        let campaign = try success(
            parseCampaign(#"{"buyer_id": "b", "vertical": "solar", "delivery": {"mode": "hosted"}, "bid": {"base": 5}}"#))
        #expect(campaign.id == "generated-id")
        #expect(campaign.name == "generated-id")
        #expect(campaign.status == .active)
        #expect(campaign.delivery == Campaign.Delivery(mode: .hosted))
        #expect(campaign.delivery.postTimeoutMS == 5_000)
        #expect(campaign.caps == Campaign.Caps())
        #expect(campaign.caps.timezone == "UTC")
        #expect(campaign.caps.isEmpty)
        #expect(campaign.schedule == nil)
        #expect(campaign.dedupeDays == nil)
        #expect(campaign.returnWindowDays == 7)
        #expect(campaign.leadType == .exclusive)
    }

    @Test func reportsEveryProblemAtOnceWithPaths() throws {
        let result = try parseCampaign(
            #"""
            {"buyer_id": "acme", "vertical": "auto_insurance", "colour": "red",
             "delivery": {"mode": "remote", "post_url": "https://x.example/post", "extra": 1},
             "bid": {"base": -1, "max": 40.001, "rules": [{"when": {"state": {"like": "CA"}}, "set": 12}]},
             "filters": [{"field": "state", "matches": "C.*"}],
             "caps": {"timezone": "Mars/Olympus_Mons", "daily_spend": 10.005},
             "schedule": {"timezone": "Nowhere/Town",
                          "hours": {"mon": [["17:00"]], "tue": [["25:00", "26:00"]], "wed": [["9:00", "17:00"]], "funday": []}},
             "allocation": 0.5}
            """#)
        #expect(
            errorPaths(result) == [
                "colour", "delivery.extra", "delivery.ping_url", "bid.base", "bid.max", "bid.rules[0].when.state.like",
                "filters[0].matches", "caps.timezone", "caps.daily_spend", "schedule.timezone", "schedule.hours.funday",
                "schedule.hours.mon[0]", "schedule.hours.tue[0]", "schedule.hours.wed[0]", "allocation",
            ])
        #expect(fieldErrors(result).count == 15)
        #expect(message(result, at: "colour") == "is not a known field")
        #expect(message(result, at: "bid.base") == "must not be negative")
        #expect(message(result, at: "bid.max") == "must have at most 2 decimals (money is exact to the cent)")
        #expect(message(result, at: "bid.rules[0].when.state.like")?.hasPrefix("unknown operator 'like'") == true)
        #expect(message(result, at: "filters[0].matches")?.hasPrefix("unknown operator 'matches'") == true)
        #expect(message(result, at: "delivery.ping_url") == "a remote campaign needs a ping_url")
        #expect(message(result, at: "caps.timezone")?.contains("Mars/Olympus_Mons") == true)
        #expect(message(result, at: "allocation") == "only a direct campaign takes an allocation")
    }

    @Test(arguments: [
        // Direct campaigns need a positive fixed price.
        (#"{"delivery": {"mode": "direct"}}"#, ["price"]),
        (#"{"delivery": {"mode": "direct"}, "price": 0}"#, ["price"]),
        (#"{"delivery": {"mode": "direct"}, "price": 12.345}"#, ["price", "price"]),
        (#"{"delivery": {"mode": "direct"}, "price": -5}"#, ["price", "price"]),
        // Allocation is a share of a direct campaign's leads.
        (#"{"delivery": {"mode": "direct"}, "price": 5, "allocation": 1.5}"#, ["allocation"]),
        (#"{"delivery": {"mode": "direct"}, "price": 5, "allocation": -0.1}"#, ["allocation"]),
        (#"{"delivery": {"mode": "direct"}, "price": 5, "allocation": 0.1234567}"#, ["allocation"]),
        (#"{"delivery": {"mode": "direct"}, "price": 5, "allocation": "half"}"#, ["allocation"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "allocation": 0.5}"#, ["allocation"]),
        // Hosted campaigns need something to price with; base may not exceed max.
        (#"{"delivery": {"mode": "hosted"}}"#, ["bid"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 50, "max": 40}}"#, ["bid.base"]),
        // Delivery.
        (#"{"delivery": {"mode": "hosted", "ping_url": "https://x.example"}, "bid": {"base": 1}}"#, ["delivery.ping_url"]),
        (#"{"delivery": {"mode": "remote", "ping_url": "ftp://x.example"}}"#, ["delivery.ping_url", "delivery.ping_url"]),
        (#"{"delivery": {"mode": "remote", "ping_url": "https://x.example", "post_url": "https:// x"}}"#, ["delivery.post_url"]),
        (#"{"delivery": {"mode": "remote", "ping_url": "https://x.example", "timeout_ms": 0}}"#, ["delivery.timeout_ms"]),
        (#"{"delivery": {"mode": "pigeon"}}"#, ["delivery.mode"]),
        (#"{"delivery": {}}"#, ["delivery.mode"]),
        (#"{"delivery": "remote"}"#, ["delivery"]),
        // Rules.
        (#"{"delivery": {"mode": "hosted"}, "bid": {"rules": [{"set": 1, "add": 2}]}}"#, ["bid", "bid.rules[0]"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"rules": [{"when": {}}]}}"#, ["bid", "bid.rules[0]"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1, "rules": [{"multiply": 101}]}}"#, ["bid.rules[0].multiply"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1, "rules": [{"when": [], "set": 1}]}}"#, ["bid.rules[0].when"]),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1, "rules": [{"when": {"state": "CA"}, "set": 1}]}}"#,
            ["bid.rules[0].when.state"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1, "rules": [{"when": {"a": {"in": "CA"}}, "set": 1}]}}"#,
            ["bid.rules[0].when.a.in"]
        ),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1, "rules": [{"set": 1, "else": 2}]}}"#, ["bid.rules[0].else"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1, "rules": [3]}}"#, ["bid.rules[0]"]),
        // Filters.
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "filters": [{"field": "a", "exists": "yes"}]}"#, ["filters[0].exists"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "filters": [{"field": "a", "lt": true}]}"#, ["filters[0].lt"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "filters": [{"field": "a", "eq": [1]}]}"#, ["filters[0].eq"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "filters": [{"field": "a", "not_in": 1}]}"#, ["filters[0].not_in"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "filters": [{"field": "a"}]}"#, ["filters[0]"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "filters": [{"eq": 1}]}"#, ["filters[0].field"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "filters": {"field": "a"}}"#, ["filters"]),
        // Scalars.
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "status": "deleted"}"#, ["status"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "lead_type": "semi"}"#, ["lead_type"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "id": "-bad"}"#, ["id"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "id": "has space"}"#, ["id"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "dedupe_days": 4000}"#, ["dedupe_days"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "priority": 1.5}"#, ["priority"]),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "return_window_days": -1}"#, ["return_window_days"]),
        // Sellers and caps.
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "sellers": {"bid_multiplier": {"S1": "x"}, "max_bid": {"S2": -1}}}"#,
            ["sellers.bid_multiplier.S1", "sellers.max_bid.S2"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "sellers": {"allow": ["S1", 2], "block": []}}"#,
            ["sellers.allow[1]", "sellers.block"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "caps": {"daily_leads": -1, "weekly_leads": "9"}}"#,
            ["caps.daily_leads", "caps.weekly_leads"]
        ),
        // Schedules.
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"timezone": "UTC"}}"#, ["schedule.hours"]),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"mon": [["24:00", "02:00"]]}}}"#,
            ["schedule.hours.mon[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"sun": [["23:60", "24:00"]]}}}"#,
            ["schedule.hours.sun[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"sat": [["09:00", "24:01"]]}}}"#,
            ["schedule.hours.sat[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"fri": [["09:00", "17:00", "18:00"]]}}}"#,
            ["schedule.hours.fri[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"thu": [[900, 1700]]}}}"#,
            ["schedule.hours.thu[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"thu": ["09:00-17:00"]}}}"#,
            ["schedule.hours.thu[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"thu": [["9:00", "17:00"]]}}}"#,
            ["schedule.hours.thu[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"thu": [["09:00", "17:0"]]}}}"#,
            ["schedule.hours.thu[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"thu": [["-1:00", "17:00"]]}}}"#,
            ["schedule.hours.thu[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"thu": [["+9:00", "17:00"]]}}}"#,
            ["schedule.hours.thu[0]"]
        ),
        (
            #"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"thu": [["09:00", "1 :00"]]}}}"#,
            ["schedule.hours.thu[0]"]
        ),
        (#"{"delivery": {"mode": "hosted"}, "bid": {"base": 1}, "schedule": {"hours": {"Mon": []}}}"#, ["schedule.hours.Mon"]),
    ])
    func rejectsInvalidConfiguration(_ fragment: String, _ expected: [String]) throws {
        // Every case is the fragment merged into an otherwise valid body.
        var members = try #require(try json(fragment).objectValue)
        members["buyer_id"] = members["buyer_id"] ?? "b"
        members["vertical"] = members["vertical"] ?? "solar"
        let result = Campaign.parse(.object(members), defaultID: "x")
        #expect(fieldErrors(result).map(\.field).sorted() == expected.sorted(), "\(fieldErrors(result))")
    }

    @Test func requiredMembersAreAllReported() {
        let result = Campaign.parse([:], defaultID: "x")
        #expect(errorPaths(result) == ["buyer_id", "vertical", "delivery"])
        #expect(fieldErrors(result).allSatisfy { $0.message == "is required" })
        #expect(errorPaths(Campaign.parse("campaign", defaultID: "x")) == ["body"])
    }

    @Test func validDirectCampaignWithAllocation() throws {
        let campaign = try success(
            parseCampaign(
                #"{"buyer_id": "b", "vertical": "solar", "delivery": {"mode": "direct"}, "price": 15, "allocation": 0.25, "priority": 3}"#))
        #expect(campaign.price == cents(1500))
        #expect(campaign.allocation == Rate("0.25"))
        #expect(campaign.priority == 3)
        let bounds = try success(
            parseCampaign(#"{"buyer_id": "b", "vertical": "solar", "delivery": {"mode": "direct"}, "price": 1, "allocation": 1}"#))
        #expect(bounds.allocation == .one)
    }

    @Test func scheduleRangesParse() throws {
        let campaign = try success(
            parseCampaign(
                #"""
                {"buyer_id": "b", "vertical": "solar", "delivery": {"mode": "hosted"}, "bid": {"base": 1},
                 "schedule": {"hours": {"mon": [["22:00", "02:00"]], "tue": [["00:00", "00:00"]], "wed": [["09:00", "24:00"]],
                                        "thu": [["08:00", "12:00"], ["13:30", "18:45"]], "fri": [["18:00", "00:00"]]}}}
                """#))
        let schedule = try #require(campaign.schedule)
        #expect(schedule.timezone == "UTC")
        #expect(schedule.hours[0] == [Schedule.Range(start: 1_320, end: 120)])
        #expect(schedule.hours[0]?.first?.crossesMidnight == true)
        #expect(schedule.hours[1] == [Schedule.Range(start: 0, end: 1_440)])
        #expect(schedule.hours[2] == [Schedule.Range(start: 540, end: 1_440)])
        #expect(schedule.hours[3] == [Schedule.Range(start: 480, end: 720), Schedule.Range(start: 810, end: 1_125)])
        #expect(schedule.hours[4] == [Schedule.Range(start: 1_080, end: 1_440)])
        #expect(schedule.hours[4]?.first?.crossesMidnight == false)
        #expect(schedule.hours[5] == nil && schedule.hours[6] == nil, "closed days are simply absent")
        #expect(schedule.json["hours"]?["wed"] == [["09:00", "24:00"]])
        #expect(schedule.json["hours"]?["mon"] == [["22:00", "02:00"]])
    }

    @Test func referencedSellers() {
        let policy = Campaign.SellerPolicy(allow: ["A"], deny: ["B"], bidMultiplier: ["C": .one], maxBid: ["A": cents(1), "D": cents(2)])
        #expect(policy.referencedSellers == ["A", "B", "C", "D"])
    }
}

@Suite("Vertical parsing")
struct VerticalParsingTests {
    @Test func parsesACustomVertical() throws {
        let vertical = try success(
            Vertical.parse(
                try json(
                    #"""
                    {"id": "pet_insurance", "name": "Pet insurance", "floor": 1.5, "max_sales": 2,
                     "fields": [{"name": "zip", "type": "string", "required": true},
                                {"name": "species", "type": "enum", "values": ["dog", "cat"], "required": true},
                                {"name": "pet_age", "type": "integer", "min": 0, "max": 30},
                                {"name": "weight", "type": "number", "max": 99.5},
                                {"name": "owner_phone", "type": "phone", "pii": true},
                                {"name": "vet_zip", "type": "string", "format": "zip"}]}
                    """#), defaultID: "x"))
        #expect(vertical.id == "pet_insurance")
        #expect(vertical.name == "Pet insurance")
        #expect(vertical.floor == cents(150))
        #expect(vertical.maxSales == 2)
        #expect(vertical.fields.map(\.name) == ["zip", "species", "pet_age", "weight", "owner_phone", "vet_zip"])
        #expect(vertical.field(named: "zip")?.format == .zip)
        #expect(vertical.field(named: "vet_zip")?.format == .zip)
        #expect(vertical.field(named: "species")?.values == ["dog", "cat"])
        #expect(vertical.field(named: "pet_age")?.maximum == Number(30))
        #expect(vertical.piiFieldNames == ["owner_phone"])

        let lead = vertical.validate(fields: ["zip": "94105", "species": "DOG", "pet_age": 31, "weight": dec("99.6")])
        #expect(errorPaths(lead) == ["fields.pet_age", "fields.weight"])
        #expect(try success(vertical.validate(fields: ["zip": "94105", "species": "Cat"])) == ["zip": "94105", "species": "cat"])
    }

    @Test func defaults() throws {
        let vertical = try success(Vertical.parse(try json(#"{"fields": [{"name": "a", "type": "string"}]}"#), defaultID: "v1"))
        #expect(vertical.id == "v1")
        #expect(vertical.name == "v1")
        #expect(vertical.floor == .zero)
        #expect(vertical.maxSales == 1)
        #expect(vertical.fields == [FieldSpec("a", .string)])
    }

    @Test(arguments: BuiltInVerticals.all)
    func builtInVerticalsRoundTrip(_ vertical: Vertical) throws {
        #expect(try success(Vertical.parse(vertical.json, defaultID: "x")) == vertical)
        let text = JSONWriter.string(vertical.json)
        #expect(try success(Vertical.parse(try json(text), defaultID: "x")) == vertical)
    }

    @Test func reportsEveryProblemAtOnce() throws {
        let result = Vertical.parse(
            try json(
                #"""
                {"id": "bad id", "floor": 1.001, "max_sales": 0, "colour": "red",
                 "fields": [{"name": "a", "type": "enum"},
                            {"name": "b", "type": "string", "values": ["x"]},
                            {"name": "a", "type": "string"},
                            {"name": "c", "type": "text"},
                            {"name": "first name", "type": "string"},
                            {"name": "d", "type": "integer", "min": "zero", "max": "ten"},
                            {"name": "e", "type": "string", "format": "uk_postcode", "shade": 1},
                            {"type": "string"},
                            "f"]}
                """#), defaultID: "x")
        #expect(
            errorPaths(result) == [
                "id", "floor", "max_sales", "colour", "fields[0].values", "fields[1].values", "fields[2].name",
                "fields[3].type", "fields[4].name", "fields[5].min", "fields[5].max", "fields[6].format", "fields[6].shade",
                "fields[7].name", "fields[8]",
            ])
        #expect(message(result, at: "fields[2].name") == "'a' appears twice")
        #expect(message(result, at: "fields[0].values") == "an enum field needs its values")
    }

    @Test func fieldsAreRequiredAndNotEmpty() throws {
        #expect(errorPaths(Vertical.parse(try json(#"{"id": "v"}"#), defaultID: "x")) == ["fields"])
        #expect(message(Vertical.parse(try json(#"{"fields": []}"#), defaultID: "x"), at: "fields") == "must list at least one field")
    }
}

@Suite("Seller, buyer and settings parsing")
struct PartiesParsingTests {
    @Test func sellerParsesWithDefaultsAndRoundTrips() throws {
        let seller = try success(
            Seller.parse(
                try json(#"{"id": "S1", "name": "Seller One", "alias": "s-alias", "revenue_share": 0.8}"#), defaultID: "x",
                defaultAlias: "anon"))
        #expect(seller == Seller(id: "S1", name: "Seller One", alias: "s-alias", revenueShare: Rate("0.8"), active: true))
        #expect(try success(Seller.parse(seller.json, defaultID: "y", defaultAlias: "z")) == seller)

        let minimal = try success(Seller.parse([:], defaultID: "S9", defaultAlias: "A-9"))
        #expect(minimal == Seller(id: "S9", name: "S9", alias: "A-9", revenueShare: Rate("0.85"), active: true))

        let inactive = try success(Seller.parse(["active": false], defaultID: "S9", defaultAlias: "A-9"))
        #expect(!inactive.active)
    }

    @Test func sellerErrors() throws {
        let result = Seller.parse(
            try json(#"{"id": "", "revenue_share": 1.5, "active": "yes", "alias": 3, "margin": 0.1}"#), defaultID: "x", defaultAlias: "a")
        #expect(errorPaths(result) == ["id", "revenue_share", "active", "alias", "margin"])
        #expect(errorPaths(Seller.parse(try json(#"{"revenue_share": -0.1}"#), defaultID: "x", defaultAlias: "a")) == ["revenue_share"])
        #expect(
            errorPaths(Seller.parse(try json(#"{"revenue_share": 0.8500001}"#), defaultID: "x", defaultAlias: "a")) == ["revenue_share"])
    }

    @Test func sellerPayoutRoundsOnceToTheCent() {
        let seller = Seller(id: "S1", name: "S", alias: "a")
        #expect(seller.payout(for: cents(1250)) == cents(1063))  // 10.625 → 10.63
        #expect(seller.payout(for: cents(1000)) == cents(850))
        #expect(seller.payout(for: cents(1)) == cents(1))  // 0.0085 → 0.01
        #expect(Seller(id: "S2", name: "S", alias: "a", revenueShare: .one).payout(for: cents(777)) == cents(777))
    }

    @Test func buyerParsesAndRoundTrips() throws {
        let buyer = try success(Buyer.parse(try json(#"{"id": "acme", "name": "Acme", "balance_limit": 500.25}"#), defaultID: "x"))
        #expect(buyer == Buyer(id: "acme", name: "Acme", balanceLimit: cents(50_025)))
        #expect(try success(Buyer.parse(buyer.json, defaultID: "x")) == buyer)
        let unlimited = try success(Buyer.parse(try json(#"{"balance_limit": null}"#), defaultID: "b2"))
        #expect(unlimited == Buyer(id: "b2", name: "b2", balanceLimit: nil))
        #expect(unlimited.json["balance_limit"] == .null)
        #expect(try success(Buyer.parse(unlimited.json, defaultID: "x")) == unlimited)
    }

    @Test func buyerErrors() throws {
        let result = Buyer.parse(try json(#"{"id": 5, "name": false, "balance_limit": -1, "credit": 1}"#), defaultID: "x")
        #expect(errorPaths(result) == ["id", "name", "balance_limit", "credit"])
        #expect(errorPaths(Buyer.parse(try json(#"{"balance_limit": 0.001}"#), defaultID: "x")) == ["balance_limit"])
    }

    /// `null` is refused where the schema does not take it, and the exchange's own times are
    /// ignored on input but must be date-times.
    @Test func nullOnlyWhereNullable() throws {
        let buyer = Buyer.parse(try json(#"{"id": null, "name": null, "balance_limit": null}"#), defaultID: "x")
        #expect(errorPaths(buyer) == ["id", "name"])
        #expect(fieldErrors(buyer).first?.message == "must not be null")
        let seller = Seller.parse(try json(#"{"alias": null, "status": null}"#), defaultID: "x", defaultAlias: "a")
        #expect(errorPaths(seller) == ["alias", "status"])
        let settings = Settings.parse(try json(#"{"ranking": null, "max_return_rate": null, "floors": {"v": null}}"#), current: Settings())
        #expect(errorPaths(settings) == ["ranking", "floors.v"])
        let times = Buyer.parse(try json(#"{"created_at": "2000-01-01T00:00:00Z", "updated_at": {}}"#), defaultID: "x")
        #expect(errorPaths(times) == ["updated_at"])
        #expect(try success(Buyer.parse(try json(#"{"created_at": "2026-11-29T10:00:00.5+01:00"}"#), defaultID: "x")).id == "x")
    }

    @Test func settingsDefaultsMatchTheContract() throws {
        let expected = try json(
            #"{"auction": "first_price", "default_tmax_ms": 250, "ping_ttl_s": 120, "floors": {"auto_insurance": 2.0}, "dedupe_days": 30, "max_return_rate": null, "floor_learning": "off", "floor_learning_verticals": {}, "floor_learning_options": {"segment": ["vertical", "state", "source"], "exploration": 0.05, "min_fill_rate": 0.9, "max_floor": null, "window": 500, "min_samples": 50}, "ranking": "price", "ranking_options": {"rejection_cost": 0.25}, "new_seller_status": "active", "pii_retention_days": null}"#
        )
        #expect(Settings().json == expected)
        #expect(try success(Settings.parse(expected, current: Settings(auction: .secondPrice, floors: [:]))) == Settings())
    }

    @Test func settingsPartialUpdateKeepsTheRest() throws {
        let current = Settings(auction: .secondPrice, defaultTmaxMS: 300, pingTTLSeconds: 60, floors: ["solar": cents(700)], dedupeDays: 7)
        let updated = try success(Settings.parse(try json(#"{"ping_ttl_s": 90}"#), current: current))
        var expected = current
        expected.pingTTLSeconds = 90
        #expect(updated == expected)
        let floors = try success(Settings.parse(try json(#"{"floors": {"mortgage": 6.5}}"#), current: current))
        #expect(floors.floors == ["mortgage": cents(650)])  // floors are replaced as a whole
        #expect(try success(Settings.parse(current.json, current: Settings())) == current)
        #expect(try success(Settings.parse(try json(#"{"auction": "waterfall"}"#), current: current)).auction == .waterfall)
    }

    @Test func settingsErrors() throws {
        let result = Settings.parse(
            try json(
                #"{"auction": "third_price", "default_tmax_ms": 0, "ping_ttl_s": 100000, "floors": {"x": -1, "y": 1.005}, "dedupe_days": -1, "tmax": 5}"#
            ),
            current: Settings())
        #expect(errorPaths(result) == ["auction", "default_tmax_ms", "ping_ttl_s", "floors.x", "floors.y", "dedupe_days", "tmax"])
        #expect(errorPaths(Settings.parse([1], current: Settings())) == ["body"])
    }

    @Test func floorIsTheHigherOfVerticalAndSettings() {
        let vertical = BuiltInVerticals.autoInsurance  // own floor 2.00
        #expect(Settings(floors: [:]).floor(for: vertical) == cents(200))
        #expect(Settings(floors: ["auto_insurance": cents(350)]).floor(for: vertical) == cents(350))
        #expect(Settings(floors: ["auto_insurance": cents(100)]).floor(for: vertical) == cents(200))
        #expect(Settings(floors: ["solar": cents(900)]).floor(for: vertical) == cents(200))
    }
}

@Suite("Identifiers")
struct IdentifierTests {
    @Test(arguments: ["a", "acme-auto-ca", "S1", "x.y:z_1", "0abc", String(repeating: "a", count: 64)])
    func validIDs(_ id: String) { #expect(Identifier.isValid(id)) }

    @Test(arguments: ["", "-a", "_a", ".a", "a b", "a/b", "é", String(repeating: "a", count: 65), "a\n"])
    func invalidIDs(_ id: String) { #expect(!Identifier.isValid(id)) }

    @Test(arguments: [
        ("https://buyer.example/ping", true), ("HTTP://X.EXAMPLE", true), ("http://localhost:8080/p?q=1", true),
        ("https://", false), ("ftp://x.example", false), ("buyer.example/ping", false), ("https:// x", false),
        ("https://x.example/a b", false), ("https:///path", false),
    ])
    func httpURLs(_ text: String, _ valid: Bool) { #expect(Identifier.isHTTPURL(text) == valid) }
}
