import Testing

@testable import GavelCore

@Suite("Return policy and payment entries, decided once in the core")
struct ReturnPolicyTests {
    static let soldAt = Timestamp(milliseconds: 1_700_000_000_000)

    static func sold(returned: Bool = false, test: Bool = false, window: Int = 7) -> SoldLead {
        SoldLead(
            leadID: "L1", buyerID: "acme", campaignID: "acme-ca", sellerID: "S1", price: Money(cents: 1_250), payout: Money(cents: 1_000),
            soldAt: soldAt, returnWindowDays: window, returned: returned, test: test)
    }

    static func request(afterDays days: Int, rate: Rate? = nil) -> ReturnRequest {
        ReturnRequest(
            leadID: "L1", buyerID: "acme", reason: "bad phone", at: soldAt.adding(milliseconds: Int64(days) * 86_400_000 - 1),
            maxReturnRate: rate)
    }

    @Test func refusalsNeedNoCounting() {
        #expect(ReturnPolicy.decide(Self.request(afterDays: 1), sold: nil, counts: nil) == .refuse(.notFound))
        #expect(ReturnPolicy.decide(Self.request(afterDays: 1), sold: Self.sold(test: true), counts: nil) == .refuse(.notFound))
        #expect(ReturnPolicy.decide(Self.request(afterDays: 1), sold: Self.sold(returned: true), counts: nil) == .refuse(.alreadyReturned))
        let late = Self.request(afterDays: 7).at.adding(milliseconds: 1)
        let lateRequest = ReturnRequest(leadID: "L1", buyerID: "acme", reason: "x", at: late, maxReturnRate: Rate(micros: 100_000))
        #expect(ReturnPolicy.decide(lateRequest, sold: Self.sold(), counts: nil) == .refuse(.denied(reason: "outside_return_window")))
        #expect(!ReturnPolicy.needsCounts(lateRequest, sold: Self.sold()), "a late return is refused before counting")
    }

    @Test func anApprovedReturnReversesTheSalesThreeEntries() {
        let request = Self.request(afterDays: 7)
        guard case .approve(let refund, let entries) = ReturnPolicy.decide(request, sold: Self.sold(), counts: nil) else {
            Issue.record("the last millisecond of the window still returns")
            return
        }
        #expect(refund == Money(cents: 1_250))
        #expect(entries.map(\.amount.cents) == [-1_250, 1_000, 250] && entries.allSatisfy { $0.kind == .return && $0.at == request.at })
        #expect(entries.map(\.account) == ["buyer:acme", "seller:S1", "exchange:margin"])
        #expect(entries.reduce(Money.zero) { $0 + $1.amount } == .zero)
    }

    @Test func theRateCountsThisReturnInExactIntegers() {
        let limit = Rate(micros: 100_000)
        let request = Self.request(afterDays: 1, rate: limit)
        #expect(ReturnPolicy.needsCounts(request, sold: Self.sold()))
        let within = ReturnPolicy.RateCounts(returns: 0, sales: 10)
        let over = ReturnPolicy.RateCounts(returns: 1, sales: 10)
        if case .approve = ReturnPolicy.decide(request, sold: Self.sold(), counts: within) {} else { Issue.record("1 of 10 is 10%") }
        #expect(ReturnPolicy.decide(request, sold: Self.sold(), counts: over) == .refuse(.denied(reason: "return_rate_exceeded")))
        let window = ReturnPolicy.rateWindow(request)
        #expect(window.through == request.at && window.from == request.at.minus(days: 30))
    }

    @Test func aPaymentMovesMoneyFromTheBuyersAccountToCash() {
        let entries = LedgerEntry.forPayment(buyerID: "acme", amount: Money(cents: 50_000), at: Self.soldAt)
        #expect(entries.map(\.account) == ["buyer:acme", "cash"] && entries.map(\.amount.cents) == [-50_000, 50_000])
        #expect(entries.allSatisfy { $0.kind == .payment && $0.leadID.isEmpty })
    }
}
