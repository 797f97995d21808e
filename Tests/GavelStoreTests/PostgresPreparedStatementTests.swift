import GavelCore
import GavelStoreSupport
import NIOCore
import Testing

@testable import GavelStorePostgres

/// The PostgreSQL store's prepared statements are prepared once per connection from a text built
/// with placeholder values; each call only sends its binds. So a statement's text must not vary
/// with its values (an `unescaped:` interpolation of a value would): these build every statement
/// with values unlike the placeholders — set where they were nil, non-empty where they were
/// empty — and need the same text. No database is needed.
@Suite("PostgreSQL prepared statements")
struct PostgresPreparedStatementTests {
    private static let at = Timestamp(milliseconds: 1_764_000_000_000)

    private static let lead = Lead(
        id: "L1", sellerID: "S1", vertical: "auto_insurance", source: "web", test: true,
        fields: ["zip": .string("94105"), "phone": .string("3125550100")], consent: .object(["text": .string("yes")]),
        receivedAt: at, pingID: "P1", contactKeys: ContactKeys(phoneHashes: [String(repeating: "ab", count: 32)]))

    private static let hold = CapHold(
        campaignID: "c1", buyerID: "b1",
        caps: Campaign.Caps(
            timezone: "America/Chicago", dailyLeads: 10, weeklyLeads: 50, monthlyLeads: 200, dailySpend: Money(cents: 10_000),
            monthlySpend: Money(cents: 90_000)),
        periods: CapPeriods(date: CivilDate(year: 2026, month: 12, day: 4)), price: Money(cents: 1_500),
        balanceLimit: Money(cents: 500_000))

    @Test func everyStatementKeepsItsTextWhateverItsValues() {
        let hashes = [ByteBuffer(bytes: [1, 2, 3])]
        var texts: [(String, String, String)] = [
            (
                PostgresStore.InsertLead.name, PostgresStore.InsertLead.sql,
                PostgresStore.InsertLead.query((Self.lead, Self.at, hashes, "n1")).sql
            ),
            (PostgresStore.Hold.name, PostgresStore.Hold.sql, PostgresStore.Hold.query((Self.hold, "L1", "n1", Self.at)).sql),
            (PostgresStore.Release.name, PostgresStore.Release.sql, PostgresStore.Release.query((Self.hold, "n1")).sql),
            (
                PostgresStore.UsageCounts.name, PostgresStore.UsageCounts.sql,
                PostgresStore.UsageCounts.query([UsageKey(subject: "campaign:c1", period: "d:2026-12-04"), .balance("b1")]).sql
            ),
            (PostgresStore.Original.name, PostgresStore.Original.sql, PostgresStore.Original.query((hashes, Self.at)).sql),
            (PostgresStore.LastSales.name, PostgresStore.LastSales.sql, PostgresStore.LastSales.query((hashes, Self.at)).sql),
            (PostgresStore.HoldPing.name, PostgresStore.HoldPing.sql, PostgresStore.HoldPing.query(Self.heldPing).sql),
            (PostgresStore.HeldPingBody.name, PostgresStore.HeldPingBody.sql, PostgresStore.HeldPingBody.query(("P1", "S1")).sql),
            (PostgresStore.ClaimPing.name, PostgresStore.ClaimPing.sql, PostgresStore.ClaimPing.query(("P1", "S1", 42)).sql),
            (PostgresStore.ClaimKey.name, PostgresStore.ClaimKey.sql, PostgresStore.ClaimKey.query(("S1", "k", "f", Self.at)).sql),
            (PostgresStore.CompleteKey.name, PostgresStore.CompleteKey.sql, PostgresStore.CompleteKey.query(("S1", "k", 200, [1, 2])).sql),
        ]
        let outcome = PostgresOutcomeWrite(outcome: Self.unsoldOutcome, sellerID: "S1", nodeID: "n1")
        texts.append(
            (PostgresOutcomeWrite.Prepared.name, PostgresOutcomeWrite.Prepared.sql, PostgresOutcomeWrite.Prepared.query(outcome).sql))
        for (name, prepared, built) in texts {
            #expect(prepared == built, "\(name)")
            #expect(prepared.contains("$1"), "\(name) has binds")
        }
        #expect(Set(texts.map { $0.0 }).count == texts.count, "every prepared statement has a name of its own")
    }

    @Test func aPreparedCallCarriesTheBindsOfItsValues() {
        let statement = PostgresStore.InsertLead.prepared((Self.lead, Self.at, [], "n1"))
        #expect(statement.binds.count == PostgresStore.InsertLead.query((Self.lead, Self.at, [], "n1")).binds.count)
        #expect(statement.binds.count == 15)
    }

    private static let heldPing = HeldPing(
        id: "P1", sellerID: "S1", vertical: "auto_insurance", source: "web", test: true, fields: ["zip": .string("94105")],
        bids: [], prices: [Money(cents: 900)], allocated: nil, pings: [], skips: [], createdAt: at,
        expiresAt: at.adding(milliseconds: 60_000))

    private static let unsoldOutcome = LeadOutcome(
        leadID: "L1", status: .unsold, reason: "no_bids", finishedAt: at, elapsedMicros: 1_200)
}
