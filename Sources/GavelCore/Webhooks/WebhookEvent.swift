/// Something that happened, with every fact the operator may see. Each webhook receives it
/// scoped to its owner by ``payload(for:)``: a seller only what its own reports show (its
/// payout, never a buyer, a campaign or a price), a buyer only its own campaigns and money, the
/// operator everything.
public struct WebhookEvent: Sendable, Hashable {
    /// The event's id (`E…`): the same in every delivery of the event, to every webhook, so a
    /// receiver can drop a repeat.
    public var id: String
    /// The kind.
    public var type: WebhookEventType
    /// When it happened.
    public var at: Timestamp
    /// Whether it is about a test lead (nothing was charged or paid).
    public var test: Bool
    /// What it is about.
    public var subject: Subject

    /// What an event is about.
    public enum Subject: Sendable, Hashable {
        /// A lead's outcome (`lead.sold`, `lead.unsold`).
        case lead(LeadNotice)
        /// A return request's decision (`lead.returned`, `return.decided`).
        case returned(ReturnNotice)
        /// A conversion (`conversion.recorded`).
        case conversion(ConversionNotice)
        /// A campaign that stopped getting leads (`campaign.paused`).
        case campaignPaused(PauseNotice)
        /// A buyer's balance near its limit (`balance.low`).
        case balanceLow(BalanceNotice)
    }

    /// Creates an event.
    public init(id: String, type: WebhookEventType, at: Timestamp, test: Bool = false, subject: Subject) {
        self.id = id
        self.type = type
        self.at = at
        self.test = test
        self.subject = subject
    }

    /// The body one owner's webhook receives — `{"id", "type", "created_at", "test", "data"}` —
    /// or `nil` when the event is none of its business.
    public func payload(for owner: WebhookOwner) -> JSONValue? {
        guard type.audience.contains(owner.role), let data = data(for: owner) else { return nil }
        return .object(["id": .string(id), "type": .string(type.rawValue), "created_at": at.json, "test": .bool(test), "data": data])
    }

    private func data(for owner: WebhookOwner) -> JSONValue? {
        switch subject {
        case .lead(let notice): notice.data(for: owner)
        case .returned(let notice): notice.data(for: owner, type: type)
        case .conversion(let notice): notice.data(for: owner)
        case .campaignPaused(let notice): notice.data(for: owner)
        case .balanceLow(let notice): notice.data(for: owner)
        }
    }
}

/// A lead's outcome, as `lead.sold` and `lead.unsold` tell it.
public struct LeadNotice: Sendable, Hashable {
    /// One sale of the lead.
    public struct SaleFacts: Sendable, Hashable {
        /// The campaign that bought.
        public var campaignID: String
        /// Its buyer.
        public var buyerID: String
        /// What the buyer pays.
        public var price: Money
        /// What the seller earns from this sale.
        public var payout: Money

        /// Creates the facts of a sale.
        public init(campaignID: String, buyerID: String, price: Money, payout: Money) {
            self.campaignID = campaignID
            self.buyerID = buyerID
            self.price = price
            self.payout = payout
        }
    }

    /// The lead.
    public var leadID: String
    /// Its seller.
    public var sellerID: String
    /// Its vertical.
    public var vertical: String
    /// The seller's source.
    public var source: String
    /// Its status (`sold`, `unsold`, `rejected`).
    public var status: LeadStatus
    /// Why it did not sell.
    public var reason: String?
    /// When it arrived.
    public var receivedAt: Timestamp
    /// Its sales.
    public var sales: [SaleFacts]

    /// Creates a notice.
    public init(
        leadID: String, sellerID: String, vertical: String, source: String, status: LeadStatus, reason: String?,
        receivedAt: Timestamp, sales: [SaleFacts]
    ) {
        self.leadID = leadID
        self.sellerID = sellerID
        self.vertical = vertical
        self.source = source
        self.status = status
        self.reason = reason
        self.receivedAt = receivedAt
        self.sales = sales
    }

    /// The notice of a lead and its outcome.
    public init(lead: Lead, outcome: LeadOutcome) {
        self.init(
            leadID: lead.id, sellerID: lead.sellerID, vertical: lead.vertical, source: lead.source, status: outcome.status,
            reason: outcome.status == .sold ? nil : outcome.reason, receivedAt: lead.receivedAt,
            sales: outcome.sales.map { SaleFacts(campaignID: $0.campaignID, buyerID: $0.buyerID, price: $0.price, payout: $0.payout) })
    }

    func data(for owner: WebhookOwner) -> JSONValue? {
        var members: [String: JSONValue] = [
            "lead_id": .string(leadID), "vertical": .string(vertical), "status": .string(status.rawValue), "received_at": receivedAt.json,
        ]
        let payout = sales.reduce(Money.zero) { $0 + $1.payout }
        switch owner.role {
        case .admin:
            let revenue = sales.reduce(Money.zero) { $0 + $1.price }
            members.merge(
                [
                    "seller_id": .string(sellerID), "source": .string(source), "reason": reason.json, "payout": payout.json,
                    "revenue": revenue.json, "margin": (revenue - payout).json,
                    "sales": .array(sales.map { Self.sale($0, buyer: true, payout: true) }),
                ]
            ) { _, new in new }
        case .seller:
            guard owner.subjectID == sellerID else { return nil }
            members.merge(["source": .string(source), "reason": reason.json, "payout": payout.json]) { _, new in new }
        case .buyer:
            let own = sales.filter { $0.buyerID == owner.subjectID }
            guard !own.isEmpty else { return nil }
            let price = own.reduce(Money.zero) { $0 + $1.price }
            members.merge(["price": price.json, "sales": .array(own.map { Self.sale($0, buyer: false, payout: false) })]) { _, new in new }
        }
        return .object(members)
    }

    private static func sale(_ sale: SaleFacts, buyer: Bool, payout: Bool) -> JSONValue {
        var members: [String: JSONValue] = ["campaign_id": .string(sale.campaignID), "price": sale.price.json]
        if buyer { members["buyer_id"] = .string(sale.buyerID) }
        if payout { members["payout"] = sale.payout.json }
        return .object(members)
    }
}

/// A return request's decision, as `lead.returned` (approved) and `return.decided` tell it.
public struct ReturnNotice: Sendable, Hashable {
    /// The sale the buyer asked to return.
    public var sold: SoldLead
    /// The buyer's reason.
    public var reason: String
    /// The refund of an approved return; `nil` when denied.
    public var refund: Money?
    /// Why it was denied (`outside_return_window`, `return_rate_exceeded`).
    public var denial: String?

    /// Creates a notice.
    public init(sold: SoldLead, reason: String, refund: Money?, denial: String?) {
        self.sold = sold
        self.reason = reason
        self.refund = refund
        self.denial = denial
    }

    func data(for owner: WebhookOwner, type: WebhookEventType) -> JSONValue? {
        var members: [String: JSONValue] = ["lead_id": .string(sold.leadID)]
        switch owner.role {
        case .admin:
            members.merge(buyerFacts(type: type)) { _, new in new }
            members.merge(["seller_id": .string(sold.sellerID), "buyer_id": .string(sold.buyerID), "payout": sold.payout.json]) {
                _, new in new
            }
        case .seller:
            guard owner.subjectID == sold.sellerID, type == .leadReturned else { return nil }
            members["payout"] = sold.payout.json
        case .buyer:
            guard owner.subjectID == sold.buyerID else { return nil }
            members.merge(buyerFacts(type: type)) { _, new in new }
        }
        return .object(members)
    }

    private func buyerFacts(type: WebhookEventType) -> [String: JSONValue] {
        var members: [String: JSONValue] = [
            "campaign_id": .string(sold.campaignID), "price": sold.price.json, "reason": .string(reason),
        ]
        if type == .returnDecided {
            members["status"] = .string(refund == nil ? "denied" : "approved")
            members["denial_reason"] = denial.json
        }
        members["refund"] = refund.map(\.json) ?? .null
        return members
    }
}

/// A conversion, as `conversion.recorded` tells it.
public struct ConversionNotice: Sendable, Hashable {
    /// The sale that converted.
    public var sold: SoldLead
    /// The value the buyer reported, if any.
    public var value: Money?

    /// Creates a notice.
    public init(sold: SoldLead, value: Money?) {
        self.sold = sold
        self.value = value
    }

    func data(for owner: WebhookOwner) -> JSONValue? {
        var members: [String: JSONValue] = ["lead_id": .string(sold.leadID)]
        switch owner.role {
        case .admin:
            members.merge(
                [
                    "seller_id": .string(sold.sellerID), "buyer_id": .string(sold.buyerID), "campaign_id": .string(sold.campaignID),
                    "value": value.map(\.json) ?? .null,
                ]
            ) { _, new in new }
        case .seller:
            guard owner.subjectID == sold.sellerID else { return nil }
        case .buyer:
            guard owner.subjectID == sold.buyerID else { return nil }
            members.merge(["campaign_id": .string(sold.campaignID), "value": value.map(\.json) ?? .null]) { _, new in new }
        }
        return .object(members)
    }
}

/// A campaign that stopped getting leads, as `campaign.paused` tells it.
public struct PauseNotice: Sendable, Hashable {
    /// Why.
    public enum Cause: Sendable, Hashable {
        /// Its circuit breaker opened after repeated faults; one lead probes it from `until`.
        case circuitOpen(until: Timestamp)
        /// A cap is used up for a period: `cap` is its name (`daily_leads`, …), `period` the
        /// local day, week (its Monday) or month it counts in, in `timezone`.
        case capReached(cap: String, period: String, timezone: String)
    }

    /// The campaign.
    public var campaignID: String
    /// Its buyer.
    public var buyerID: String
    /// Why it paused.
    public var cause: Cause

    /// Creates a notice.
    public init(campaignID: String, buyerID: String, cause: Cause) {
        self.campaignID = campaignID
        self.buyerID = buyerID
        self.cause = cause
    }

    func data(for owner: WebhookOwner) -> JSONValue? {
        if owner.role == .buyer && owner.subjectID != buyerID { return nil }
        var members: [String: JSONValue] = ["campaign_id": .string(campaignID)]
        if owner.role == .admin { members["buyer_id"] = .string(buyerID) }
        switch cause {
        case .circuitOpen(let until):
            members["reason"] = "circuit_open"
            members["probe_at"] = until.json
        case .capReached(let cap, let period, let timezone):
            members["reason"] = "cap_reached"
            members["cap"] = .string(cap)
            members["period"] = .string(period)
            members["timezone"] = .string(timezone)
        }
        return .object(members)
    }
}

/// A buyer's unpaid balance at or above the alert share of its limit, as `balance.low` tells it.
public struct BalanceNotice: Sendable, Hashable {
    /// The buyer.
    public var buyerID: String
    /// Its unpaid balance (sold and held).
    public var balance: Money
    /// Its balance limit.
    public var limit: Money
    /// The share of the limit that raised the alert.
    public var threshold: Rate

    /// The share of its limit at which a buyer's balance raises `balance.low`.
    public static let defaultThreshold = Rate("0.8")

    /// Whether a balance is at or above `threshold` of a (positive) limit.
    public static func isLow(balance: Money, limit: Money, threshold: Rate = defaultThreshold) -> Bool {
        guard limit > .zero else { return false }
        return balance.cents * 1_000_000 >= limit.cents * threshold.micros
    }

    /// Creates a notice.
    public init(buyerID: String, balance: Money, limit: Money, threshold: Rate) {
        self.buyerID = buyerID
        self.balance = balance
        self.limit = limit
        self.threshold = threshold
    }

    func data(for owner: WebhookOwner) -> JSONValue? {
        if owner.role == .buyer && owner.subjectID != buyerID { return nil }
        return .object([
            "buyer_id": .string(buyerID), "balance": balance.json, "balance_limit": limit.json, "threshold": .number(threshold.number),
            "remaining": (limit - balance).json,
        ])
    }
}

extension Optional where Wrapped == String {
    /// The string, or `null`.
    fileprivate var json: JSONValue { map(JSONValue.string) ?? .null }
}
