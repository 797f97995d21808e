import GavelCore

/// The stored form of a held two-step ping: everything the post needs to resume the auction,
/// with money in integer cents, so it round-trips exactly.
package enum HeldPingCodec {
    /// Encodes a held ping as JSON text.
    package static func encode(_ ping: HeldPing) -> String {
        let members: [String: JSONValue] = [
            "id": .string(ping.id), "seller_id": .string(ping.sellerID), "vertical": .string(ping.vertical),
            "source": .string(ping.source), "test": .bool(ping.test), "fields": .object(ping.fields),
            "bids": .array(ping.bids.map(encode)), "prices": .array(ping.prices.map { .integer($0.cents) }),
            "allocated": ping.allocated.map(encode) ?? .null, "pings": .array(ping.pings.map(encode)),
            "skips": .array(ping.skips.map(encode)), "created_at": .integer(ping.createdAt.milliseconds),
            "expires_at": .integer(ping.expiresAt.milliseconds), "note": ping.note?.json ?? .null,
        ]
        return StoredJSON.text(.object(members))
    }

    /// Decodes a held ping.
    package static func decode(_ text: String) throws -> HeldPing {
        let object = try StoredObject(try StoredJSON.value(text, what: "held ping"), what: "held ping")
        return HeldPing(
            id: try object.string("id"), sellerID: try object.string("seller_id"), vertical: try object.string("vertical"),
            source: try object.string("source"), test: try object.bool("test"), fields: try object.object("fields"),
            bids: try object.objects("bids").map(bid), prices: try object.array("prices").map(cents),
            allocated: try object.optional("allocated") { $0.objectValue }.map { try offer(StoredObject(.object($0), what: "offer")) },
            pings: try object.objects("pings").map(ping), skips: try object.objects("skips").map(skip),
            createdAt: Timestamp(milliseconds: try object.int("created_at")),
            expiresAt: Timestamp(milliseconds: try object.int("expires_at")),
            note: try object.optional("note") { AuctionNote(json: $0) })
    }

    // MARK: Parts

    package static func encode(_ bid: Bid) -> JSONValue {
        .object([
            "campaign_id": .string(bid.campaignID), "buyer_id": .string(bid.buyerID), "amount": .integer(bid.amount.cents),
            "offered": .integer(bid.offered.cents), "bid_id": bid.bidID.map(JSONValue.string) ?? .null,
            "priority": .integer(Int64(bid.priority)), "latency_us": .integer(bid.latencyMicros),
            "lead_type": .string(bid.leadType.rawValue), "captures": .object(bid.captures),
        ])
    }

    package static func bid(_ object: StoredObject) throws -> Bid {
        Bid(
            campaignID: try object.string("campaign_id"), buyerID: try object.string("buyer_id"), amount: try object.money("amount"),
            offered: try object.money("offered"), bidID: try object.optionalString("bid_id"),
            priority: Int(try object.int("priority")), latencyMicros: try object.int("latency_us"),
            leadType: try object.choice("lead_type", Campaign.LeadType.self),
            captures: try object.optional("captures") { $0.objectValue } ?? [:])
    }

    package static func encode(_ offer: Offer) -> JSONValue {
        .object([
            "campaign_id": .string(offer.campaignID), "buyer_id": .string(offer.buyerID), "price": .integer(offer.price.cents),
            "bid_id": offer.bidID.map(JSONValue.string) ?? .null, "origin": .string(offer.origin.rawValue),
            "captures": .object(offer.captures),
        ])
    }

    package static func offer(_ object: StoredObject) throws -> Offer {
        Offer(
            campaignID: try object.string("campaign_id"), buyerID: try object.string("buyer_id"), price: try object.money("price"),
            bidID: try object.optionalString("bid_id"), origin: try object.choice("origin", Offer.Origin.self),
            captures: try object.optional("captures") { $0.objectValue } ?? [:])
    }

    package static func encode(_ record: PingRecord) -> JSONValue {
        .object([
            "campaign_id": .string(record.campaignID), "buyer_id": .string(record.buyerID),
            "kind": .string(record.answer.kind.rawValue), "bid": record.answer.bid.map { .integer($0.cents) } ?? .null,
            "bid_id": record.answer.bidID.map(JSONValue.string) ?? .null, "latency_us": .integer(record.answer.latencyMicros),
            "detail": record.answer.detail.map(JSONValue.string) ?? .null,
            "effective": record.effectiveBid.map { .integer($0.cents) } ?? .null,
            "http_status": record.answer.httpStatus.map { .integer(Int64($0)) } ?? .null, "captures": .object(record.answer.captures),
        ])
    }

    package static func ping(_ object: StoredObject) throws -> PingRecord {
        let answer = PingAnswer(
            kind: try object.choice("kind", PingAnswer.Kind.self), bid: try object.optionalMoney("bid"),
            bidID: try object.optionalString("bid_id"), latencyMicros: try object.int("latency_us"),
            detail: try object.optionalString("detail"), httpStatus: try object.optional("http_status") { $0.int64Value }.map(Int.init),
            captures: try object.optional("captures") { $0.objectValue } ?? [:])
        return PingRecord(
            campaignID: try object.string("campaign_id"), buyerID: try object.string("buyer_id"), answer: answer,
            effectiveBid: try object.optionalMoney("effective"))
    }

    package static func encode(_ skip: SkipRecord) -> JSONValue {
        .object(["campaign_id": .string(skip.campaignID), "reason": .string(skip.reason.rawValue)])
    }

    package static func skip(_ object: StoredObject) throws -> SkipRecord {
        SkipRecord(campaignID: try object.string("campaign_id"), reason: try object.choice("reason", SkipReason.self))
    }

    private static func cents(_ value: JSONValue) throws -> Money {
        guard let cents = value.int64Value else { throw StorageError.unavailable("stored held ping is corrupt: bad price") }
        return Money(cents: cents)
    }
}
