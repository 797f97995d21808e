import GavelCore
import GavelStoreSupport
import Testing

extension StorageConformance {
    /// The consumer the privacy checks erase: a distinctive phone, name and email.
    static let erasedPhone = "4155550142"

    /// A lead of the erased consumer (or another), with every personal field of the vertical.
    static func personalLead(_ id: String, phone: String = erasedPhone, at time: Timestamp = Fixtures.now, test: Bool = false) -> Lead {
        var lead = Fixtures.lead(id, phone: phone, at: time, test: test)
        let erased = phone == erasedPhone
        lead.fields["first_name"] = erased ? "Zebulon" : "Harriet"
        lead.fields["last_name"] = .string("Quixotic\(phone.suffix(2))")
        lead.fields["email"] = .string("zeb.\(phone)@example.org")
        lead.fields["street_address"] = erased ? "17 Marigold Lane" : "9 Elm Street"
        lead.fields["birth_date"] = erased ? "1979-04-12" : "1985-10-30"
        lead.consent = ["tcpa_text": "I agree", "ip": erased ? "203.0.113.42" : "198.51.100.7"]
        return lead
    }

    /// A sold outcome whose buyer repeated the consumer's data: a redirect URL with the email,
    /// a rejection reason with the phone written its own way, a lead id that is the email.
    static func echoingOutcome(_ leadID: String, phone: String = erasedPhone) -> LeadOutcome {
        var sale = Fixtures.sale()
        sale.buyerLeadID = "zeb.\(phone)@example.org"
        var outcome = Fixtures.soldOutcome(leadID, sales: [sale])
        outcome.posts[0].reason = "already have (\(phone.prefix(3))) \(phone.dropFirst(3).prefix(3))-\(phone.suffix(4))"
        outcome.posts[1].buyerLeadID = sale.buyerLeadID
        outcome.posts[1].redirectURL = "https://acme.example/thanks?email=zeb.\(phone)@example.org"
        return outcome
    }

    static func contactKeySecretIsStable(_ harness: some StoreHarness) async throws {
        let secret = try await harness.open().contactKeySecret()
        #expect(secret.count == 32)
        #expect(Set(secret).count > 8)
        #expect(try await harness.open().contactKeySecret() == secret)
    }

    static func erasureRemovesPersonalDataAndKeepsTheBooks(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let lead = personalLead("L1")
        _ = try await store.insertLead(lead, dedupeSince: nil)
        try await store.recordOutcome(echoingOutcome("L1"), sellerID: "S1")
        _ = try await store.insertLead(
            personalLead("L2", at: Fixtures.now.adding(milliseconds: 5)), dedupeSince: Fixtures.now.minus(days: 1))
        _ = try await store.insertLead(personalLead("T1", test: true), dedupeSince: nil)
        _ = try await store.insertLead(personalLead("K1", phone: "2125550177"), dedupeSince: nil)
        #expect(try await store.claimIdempotencyKey(sellerID: "S1", key: "k-1", fingerprint: "f", at: Fixtures.now) == .fresh)
        let response = JSONWriter.bytes(
            ["lead_id": "L1", "status": "sold", "redirect_url": "https://acme.example/thanks?email=zeb.4155550142@example.org"])
        try await store.completeIdempotencyKey(sellerID: "S1", key: "k-1", status: 200, body: response)
        let reportBefore = try await store.report(query(.seller))
        let sealed = try await sealedChainLength(store)

        let redaction = Redaction(verticals: [Fixtures.vertical])
        let record = ErasureRecord(
            id: "E1", kind: .request, at: Fixtures.now.adding(milliseconds: 1_000), contactKeys: lead.contactKeys.phoneHashes)
        let erased = try await store.eraseConsumer(contactKeys: lead.contactKeys.phoneHashes, redaction: redaction, record: record)
        #expect(erased.leads == 3)

        let detail = try #require(try await store.lead(id: "L1"))
        #expect(detail.lead.fields == ["zip": "94105", "state": "CA", "age": 34])
        #expect(detail.lead.consent == .null)
        #expect(detail.lead.erasedAt == record.at)
        #expect(detail.lead.contactKeys == lead.contactKeys)
        #expect(detail.status == .sold)
        let outcome = try #require(detail.outcome)
        #expect(outcome.posts.allSatisfy { $0.redirectURL == nil })
        #expect(outcome.posts[0].reason == Redaction.scrubbedReason)
        #expect(outcome.posts[1].buyerLeadID == nil)
        #expect(outcome.sales.map(\.buyerLeadID) == [nil])
        #expect(outcome.sales.map(\.price) == [Money("12.50")])
        for id in ["L2", "T1"] {
            let other = try #require(try await store.lead(id: id))
            #expect(other.lead.erasedAt == record.at && other.lead.fields["phone"] == nil && other.lead.fields["zip"] == "94105")
        }
        let kept = try #require(try await store.lead(id: "K1"))
        #expect(kept.lead.erasedAt == nil && kept.lead.fields == personalLead("K1", phone: "2125550177").fields)

        try await expectBooksIntact(store, sealed: sealed)
        #expect(try await store.report(query(.seller)) == reportBefore)
        let bought = try await store.boughtLeads(
            buyerID: "acme", from: Fixtures.now.minus(days: 1), to: Fixtures.now.adding(milliseconds: 86_400_000), limit: 10)
        #expect(bought.map(\.lead.fields) == [["zip": "94105", "state": "CA", "age": 34]])
        #expect(bought.map(\.lead.erasedAt) == [record.at])
        guard
            case .replay(200, let replayed) = try await store.claimIdempotencyKey(
                sellerID: "S1", key: "k-1", fingerprint: "f", at: Fixtures.now)
        else {
            Issue.record("the key's response is gone")
            return
        }
        #expect(try JSONParser.parse(replayed, limits: .trusted)["redirect_url"] == .null)
        #expect(try JSONParser.parse(replayed, limits: .trusted)["lead_id"] == "L1")

        let later = Fixtures.lead("L3", phone: erasedPhone, at: Fixtures.now.adding(milliseconds: 60_000))
        #expect(try await store.insertLead(later, dedupeSince: Fixtures.now.minus(days: 1)) == .duplicate(of: "L1"))
        #expect(try await store.erasures(limit: 10) == [erased])
        let reopened = try await harness.open()
        #expect(try await reopened.erasures(limit: 10) == [erased])
        #expect(try await reopened.lead(id: "L1")?.lead.fields["first_name"] == nil)
    }

    static func erasureOfNobodyIsRecorded(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        _ = try await store.insertLead(personalLead("K1", phone: "2125550177"), dedupeSince: nil)
        let record = ErasureRecord(id: "E1", kind: .request, at: Fixtures.now, contactKeys: [Fixtures.phoneKey("3105550000")])
        let erased = try await store.eraseConsumer(
            contactKeys: record.contactKeys, redaction: Redaction(verticals: [Fixtures.vertical]), record: record)
        #expect(erased.leads == 0)
        #expect(try await store.lead(id: "K1")?.lead.erasedAt == nil)
        #expect(try await store.erasures(limit: 5).map(\.id) == ["E1"])
    }

    static func retentionErasesOldLeadsInBatches(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let day: Int64 = 86_400_000
        for index in 0..<5 {
            let lead = personalLead("L\(index)", phone: "41555501\(10 + index)", at: Fixtures.now.adding(milliseconds: -Int64(index) * day))
            _ = try await store.insertLead(lead, dedupeSince: nil)
        }
        let redaction = Redaction(verticals: [Fixtures.vertical])
        let cutoff = Fixtures.now.minus(days: 2).adding(milliseconds: 1)
        #expect(try await store.eraseExpired(receivedBefore: cutoff, redaction: redaction, at: Fixtures.now, limit: 2) == 2)
        #expect(try await store.eraseExpired(receivedBefore: cutoff, redaction: redaction, at: Fixtures.now, limit: 2) == 1)
        #expect(try await store.eraseExpired(receivedBefore: cutoff, redaction: redaction, at: Fixtures.now, limit: 2) == 0)
        for index in 0..<5 {
            let lead = try #require(try await store.lead(id: "L\(index)")).lead
            #expect((lead.erasedAt != nil) == (index >= 2))
            #expect((lead.fields["last_name"] == nil) == (index >= 2))
        }
        let pass = ErasureRecord(id: "E9", kind: .retention, at: Fixtures.now, leads: 3, receivedBefore: cutoff)
        try await store.recordErasure(pass)
        #expect(try await store.erasures(limit: 1) == [pass])
    }

    /// A buyer's return reason that repeats the consumer's data is dropped from the webhook
    /// outbox (and from the sale); another consumer's reasons and every delivery stay.
    static func erasureScrubsTheWebhookOutbox(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        try await store.createWebhook(webhook("W-op"))
        let fanOut = WebhookFanOut(
            subscribers: [WebhookFanOut.Subscriber(webhookID: "W-op", owner: .admin, events: Set(WebhookEventType.allCases))],
            retryWindowMS: 86_400_000)
        for (id, phone) in [("L1", erasedPhone), ("K1", "2125550177")] {
            let lead = personalLead(id, phone: phone)
            _ = try await store.insertLead(lead, dedupeSince: nil)
            _ = try await store.hold(Fixtures.sale().hold)
            try await store.recordOutcome(Fixtures.soldOutcome(id), sellerID: "S1")
            let reason = "wrong number \(phone), zeb.\(phone)@example.org never asked"
            let request = ReturnRequest(
                leadID: id, buyerID: "acme", reason: reason, at: Fixtures.now.adding(milliseconds: 60_000), webhooks: fanOut)
            #expect(try await store.recordReturn(request) == .approved(refund: Money("12.50")))
        }
        let before = try await store.webhookDeliveries(webhookID: "W-op", status: nil, limit: 20)
        let sealed = try await sealedChainLength(store)
        #expect(before.filter { $0.message.body.contains("zeb.\(erasedPhone)@example.org") }.count == 2)

        let keys = personalLead("L1").contactKeys.all
        let record = ErasureRecord(id: "E1", kind: .request, at: Fixtures.now.adding(milliseconds: 120_000), contactKeys: keys)
        #expect(
            try await store.eraseConsumer(contactKeys: keys, redaction: Redaction(verticals: [Fixtures.vertical]), record: record).leads
                == 1)

        let after = try await store.webhookDeliveries(webhookID: "W-op", status: nil, limit: 20)
        #expect(after.map(\.message.id).sorted() == before.map(\.message.id).sorted())
        #expect(!after.contains { $0.message.body.contains(erasedPhone) || $0.message.body.contains("zeb.\(erasedPhone)") })
        #expect(after.filter { $0.message.body.contains("zeb.2125550177@example.org") }.count == 2, "the other consumer's stay")
        let erased = after.filter { $0.message.body.contains("\"L1\"") }
        #expect(erased.count == 2)
        for delivery in erased {
            let body = try JSONParser.parse(Array(delivery.message.body.utf8), limits: .trusted)
            #expect(body["data"]?["reason"] == .string(Redaction.scrubbedReason))
            #expect(body["data"]?["lead_id"] == "L1")
        }
        try await expectBooksIntact(store, sealed: sealed)
    }

    /// Seals what the store holds (PostgreSQL seals in the background) and returns the chain's
    /// length, which must be more than nothing.
    static func sealedChainLength(_ store: any Storage) async throws -> Int64 {
        try await store.sealChain()
        let length = try await store.chainHead().pos
        #expect(length > 0)
        return length
    }

    /// The books balance and the chain is intact and as long as it was: an erasure changes no
    /// sealed column (a sale's buyer lead id and return reason are not sealed) and adds no record.
    static func expectBooksIntact(_ store: any Storage, sealed: Int64) async throws {
        #expect(try await store.sealChain() == 0)
        let audit = try await store.audit()
        #expect(audit.isClean, "\(audit)")
        #expect(audit.chain.length == sealed && audit.chain.problems.isEmpty && audit.chain.unsealed == 0)
    }
}
