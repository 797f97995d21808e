import GavelCore
import Testing

/// The erasure request's parsing and the rule of what erasing keeps (``Redaction``).
@Suite("Privacy rules")
struct PrivacyTests {
    @Test func anErasureRequestNormalizesLikeALeadsFields() throws {
        let request = try ErasureRequest.parse(["phone": " +1 (415) 555-0142 ", "email": "Zeb@Example.ORG"]).get()
        #expect(request == ErasureRequest(phone: "4155550142", email: "zeb@example.org"))
        #expect(request.contactTexts == ["14155550142", "zeb@example.org"])
        #expect(try ErasureRequest.parse(["email": "a@b.co"]).get().contactTexts == ["a@b.co"])
    }

    @Test func anErasureRequestNamesEveryBadMember() {
        func fields(_ json: JSONValue) -> [String] {
            guard case .failure(let failure) = ErasureRequest.parse(json) else { return [] }
            return failure.errors.map(\.field)
        }
        #expect(fields([:]) == ["phone"])
        #expect(Set(fields(["phone": .null, "email": .null])) == ["phone", "email"], "null is refused, not read as absent")
        #expect(fields(["phone": "555", "email": "nope"]) == ["phone", "email"])
        #expect(fields(["phone": "4155550142", "ssn": "x"]) == ["ssn"])
        #expect(!fields("text").isEmpty)
    }

    @Test func erasingKeepsOnlyTheNonPersonalFields() {
        let redaction = Redaction(verticals: [BuiltInVerticals.autoInsurance])
        let at = Timestamp(milliseconds: 5_000)
        let lead = Lead(
            id: "L1", sellerID: "S1", vertical: "auto_insurance", source: "fb",
            fields: ["zip": "94105", "state": "CA", "age": 34, "first_name": "Zeb", "phone": "4155550142", "email": "z@e.org"],
            consent: ["ip": "203.0.113.4"], receivedAt: Timestamp(milliseconds: 1), contactKeys: ContactKeys(phoneHashes: ["k"]))
        let erased = redaction.erase(lead, at: at)
        #expect(erased.fields == ["zip": "94105", "state": "CA", "age": 34])
        #expect(erased.consent == .null)
        #expect(erased.erasedAt == at)
        #expect(erased.contactKeys == lead.contactKeys)
        #expect(redaction.erase(erased, at: Timestamp(milliseconds: 9_000)).erasedAt == at, "the first erasure's time stays")
        #expect(Set(redaction.personalValues(lead)) == ["zeb", "4155550142", "z@e.org"])
        var unknown = lead
        unknown.vertical = "deleted_vertical"
        #expect(redaction.erase(unknown, at: at).fields.isEmpty, "a vertical that no longer exists keeps nothing")
    }

    @Test func contactFieldsGoEvenWhenACustomVerticalDoesNotMarkThemPersonal() {
        let vertical = Vertical(
            id: "custom", name: "Custom",
            fields: [
                FieldSpec("zip", .string, required: true), FieldSpec("callback", .phone), FieldSpec("inbox", .email),
                FieldSpec("nickname", .string, pii: true),
            ])
        let lead = Lead(
            id: "L1", sellerID: "S1", vertical: "custom", source: "fb",
            fields: ["zip": "94105", "callback": "4155550142", "inbox": "z@e.org", "nickname": "Zeb"],
            receivedAt: Timestamp(milliseconds: 1))
        #expect(Redaction(verticals: [vertical]).erase(lead, at: Timestamp(milliseconds: 2)).fields == ["zip": "94105"])
    }

    @Test func buyerTextsThatRepeatTheConsumerAreDropped() {
        let redaction = Redaction(verticals: [BuiltInVerticals.autoInsurance])
        let values = ["4155550142", "zeb@e.org"]
        let hold = CapHold(
            campaignID: "c", buyerID: "b", caps: Campaign.Caps(), periods: CapPeriods(date: CivilDate(daysSinceEpoch: 1)),
            price: Money(cents: 100), balanceLimit: nil, counts: true)
        let at = Timestamp(milliseconds: 1)
        let outcome = LeadOutcome(
            leadID: "L1", status: .sold,
            sales: [
                Sale(
                    campaignID: "c", buyerID: "b", price: Money(cents: 100), payout: Money(cents: 80), buyerLeadID: "ZEB@e.org", hold: hold,
                    returnWindowDays: 7)
            ],
            posts: [
                PostRecord(
                    campaignID: "x", buyerID: "x", price: Money(cents: 200), origin: .auction, outcome: .rejected,
                    reason: "dup (415) 555-0142", at: at),
                PostRecord(
                    campaignID: "y", buyerID: "y", price: Money(cents: 150), origin: .auction, outcome: .rejected, reason: "no", at: at),
                PostRecord(
                    campaignID: "c", buyerID: "b", price: Money(cents: 100), origin: .auction, outcome: .accepted, buyerLeadID: "b-7",
                    at: at,
                    redirectURL: "https://b.example/thanks"),
            ], finishedAt: at)
        let erased = redaction.erase(outcome, values: values)
        #expect(erased.posts.map(\.reason) == [Redaction.scrubbedReason, "no", nil])
        #expect(erased.posts.map(\.buyerLeadID) == [nil, nil, "b-7"])
        #expect(erased.posts.allSatisfy { $0.redirectURL == nil })
        #expect(erased.sales.map(\.buyerLeadID) == [nil])
        #expect(erased.sales.map(\.price) == [Money(cents: 100)])
        #expect(Redaction.mentions("call 415.555.0142", values) && !Redaction.mentions("415-555", values))
    }

    @Test func aStoredResponseLosesItsRedirectURLOnly() throws {
        let body = JSONWriter.bytes(["lead_id": "L1", "status": "sold", "redirect_url": "https://b.example/?e=zeb@e.org"])
        let scrubbed = try #require(Redaction.scrubResponse(body, leadIDs: ["L1"]))
        #expect(try JSONParser.parse(scrubbed, limits: .trusted) == ["lead_id": "L1", "status": "sold", "redirect_url": .null])
        #expect(Redaction.scrubResponse(body, leadIDs: ["L2"]) == nil)
        #expect(Redaction.scrubResponse(scrubbed, leadIDs: ["L1"]) == nil)
        #expect(Redaction.scrubResponse(Array("not json".utf8), leadIDs: ["L1"]) == nil)
    }

    @Test func webhookBodiesLoseOnlyReasonsThatRepeatTheConsumer() throws {
        let values = ["4155550142", "zebulon"]
        let body = JSONWriter.string([
            "id": "E1", "type": "lead.returned",
            "data": ["lead_id": "L1", "reason": "Zebulon says wrong number", "price": 12, "source": "zebulon-ads"],
        ])
        let scrubbed = try #require(Redaction.scrubWebhookBody(body, values: values))
        let json = try JSONParser.parse(Array(scrubbed.utf8), limits: .trusted)
        #expect(json["data"]?["reason"] == .string(Redaction.scrubbedReason))
        #expect(json["data"]?["source"] == "zebulon-ads", "only a buyer's reason is its words about the consumer")
        #expect(json["type"] == "lead.returned" && json["data"]?["price"] == 12)
        #expect(Redaction.scrubWebhookBody(scrubbed, values: values) == nil)
        #expect(Redaction.scrubWebhookBody(#"{"data":{"reason":"no answer"}}"#, values: values) == nil)
        #expect(Redaction.scrubWebhookBody("not json", values: values) == nil)
        #expect(Redaction.scrubbed("call (415) 555-0142", values: values) == Redaction.scrubbedReason)
        #expect(Redaction.scrubbed("no answer", values: values) == nil && Redaction.scrubbed(nil, values: values) == nil)
    }

    @Test func theRetentionSettingParses() throws {
        let settings = try Settings.parse(["pii_retention_days": 90], current: Settings()).get()
        #expect(settings.piiRetentionDays == 90)
        #expect(try Settings.parse(["pii_retention_days": .null], current: settings).get().piiRetentionDays == nil)
        #expect(try Settings.parse(["dedupe_days": 3], current: settings).get().piiRetentionDays == 90)
        let bad: [JSONValue] = [0, -1, 36_501, "90", .number(Number(text: "1.5")!)]
        for bad in bad {
            guard case .failure = Settings.parse(["pii_retention_days": bad], current: Settings()) else {
                Issue.record("\(bad) was accepted")
                continue
            }
        }
    }
}
