import Foundation
import GavelCore
import Testing

@testable import GavelServer

@Suite("Dashboard: formats, forms, sessions, templates")
struct DashboardUnitTests {
    @Test func moneyIsWrittenFromCents() {
        #expect(DashboardFormat.money(Money(cents: 123_450)) == "$1,234.50")
        #expect(DashboardFormat.money(Money(cents: -300)) == "-$3.00")
        #expect(DashboardFormat.money(Money(cents: 5)) == "$0.05")
        #expect(DashboardFormat.money(Money(cents: 100_000_000)) == "$1,000,000.00")
        #expect(DashboardFormat.money(Money(cents: 150_000), wholeDollars: true) == "$1,500")
        #expect(DashboardFormat.money(nil as Money?) == "—")
        #expect(DashboardFormat.count(1_234_567) == "1,234,567")
        #expect(DashboardFormat.percent(1, of: 3) == "33.3%")
        #expect(DashboardFormat.percent(2, of: 3) == "66.7%")
        #expect(DashboardFormat.percent(5, of: 0) == "—")
        #expect(DashboardFormat.latency(micros: 12_345) == "12.3 ms")
    }

    @Test func timesAreShownInTheViewersZone() throws {
        let noon = try #require(Timestamp(rfc3339: "2026-07-01T12:00:05Z"))
        #expect(DashboardFormat.time(noon, zone: "UTC") == "2026-07-01 12:00:05")
        #expect(DashboardFormat.time(noon, zone: "America/New_York") == "2026-07-01 08:00:05")
        #expect(DashboardFormat.time(noon, zone: "Asia/Kolkata") == "2026-07-01 17:30:05")
        #expect(DashboardFormat.hour(noon, zone: "Asia/Tokyo") == "21:00")
        let morning = try #require(Timestamp(rfc3339: "2026-03-08T15:00:00Z"))
        #expect(
            DashboardFormat.startOfDay(morning, zone: "America/New_York") == Timestamp(rfc3339: "2026-03-08T05:00:00Z"),
            "midnight before the DST change")
        #expect(DashboardFormat.startOfDay(morning, zone: "UTC") == Timestamp(rfc3339: "2026-03-08T00:00:00Z"))
    }

    @Test func formBodiesDecodeLikeBrowsersSendThem() {
        let form = FormBody("key=gvl_abc%2B1&csrf=t0k&note=a+b%26c&key=second&empty=&=nameless&bad=%ZZ")
        #expect(form["key"] == "gvl_abc+1", "the first of a repeated name")
        #expect(form["note"] == "a b&c")
        #expect(form["empty"] == "")
        #expect(form["bad"] == "%ZZ")
        #expect(form.fields[""] == nil)
    }

    @Test func localPathsOnly() {
        #expect(DashboardPath.local("/leads?status=sold") == "/leads?status=sold")
        #expect(DashboardPath.local("//evil.example") == "/")
        #expect(DashboardPath.local("https://evil.example") == "/")
        #expect(DashboardPath.local("/\\evil.example") == "/")
        #expect(DashboardPath.segment("a b/ç") == "a%20b%2F%C3%A7")
    }

    @Test func tablesExportPlainValuesAndDefuseFormulas() {
        var table = DashboardTable(id: "t", title: "T", columns: ["Source", "Payout#"], csvHref: "/x.csv")
        table.append([.text("=HYPERLINK(\"x\")"), .money(Money(cents: -1_250))])
        table.append([.text("plain, with comma"), .money(Money(cents: 123_450))])
        #expect(table.csv == "Source,Payout\r\n\"'=HYPERLINK(\"\"x\"\")\",-12.50\r\n\"plain, with comma\",1234.50\r\n")
    }

    static func session(_ identity: Identity, at time: Int64) -> DashboardSession {
        DashboardSession(
            identity: identity, credential: Credential(key: "gvl_secret"), csrf: "c", timezone: "UTC",
            createdAt: Timestamp(milliseconds: time),
            lastSeen: Timestamp(milliseconds: time))
    }

    @Test func sessionsIdleOutAndEndAfterTheirLifetime() {
        var policy = SessionBook.Policy()
        policy.idle = 1_000
        policy.lifetime = 5_000
        var book = SessionBook(policy: policy)
        let identity = Identity(keyID: "K1", role: .seller, subjectID: "S1")
        book.open("id-1", Self.session(identity, at: 0))
        #expect(book.use("id-1", now: Timestamp(milliseconds: 900)) != nil)
        #expect(book.use("id-1", now: Timestamp(milliseconds: 1_800)) != nil, "each use restarts the idle time")
        #expect(book.use("id-1", now: Timestamp(milliseconds: 2_900)) == nil, "idle too long")
        #expect(book.sessions.isEmpty, "an expired session is removed")
        book.open("id-2", Self.session(identity, at: 10_000))
        for step in 1...5 { _ = book.use("id-2", now: Timestamp(milliseconds: 10_000 + Int64(step) * 900)) }
        #expect(book.use("id-2", now: Timestamp(milliseconds: 15_000)) == nil, "past its lifetime however busy")
        #expect(book.use("unknown", now: Timestamp(milliseconds: 0)) == nil)
        #expect(book.sessions.keys.allSatisfy { !$0.contains("id-") }, "ids are kept as digests")
    }

    @Test func oneTimeLinksWorkOnceAndLapse() {
        var book = SessionBook()
        let link = PendingLink(
            identity: Identity(keyID: "bootstrap", role: .admin, subjectID: nil), credential: Credential(key: "k"),
            expiresAt: Timestamp(milliseconds: 60_000))
        book.mint("token-1", link, now: Timestamp(milliseconds: 0))
        book.mint("token-2", link, now: Timestamp(milliseconds: 0))
        #expect(book.redeem("token-1", now: Timestamp(milliseconds: 59_999)) == link)
        #expect(book.redeem("token-1", now: Timestamp(milliseconds: 59_999)) == nil, "used up")
        #expect(book.redeem("token-2", now: Timestamp(milliseconds: 60_000)) == nil, "lapsed")
        #expect(book.links.isEmpty)
    }

    @Test func theKeyIsNeverPrinted() {
        let credential = Credential(key: "gvl_supersecret")
        #expect(!"\(credential)".contains("supersecret"))
        #expect(!String(reflecting: credential).contains("supersecret"))
    }

    /// Only two values are inserted unescaped: chart markup (ChartCanvas escapes every text it
    /// draws) and a posting guide's markup (GuideHTML escapes every text it holds).
    @Test func templatesParseAndOnlyChartAndGuideMarkupAreInsertedRaw() throws {
        let pages = [
            "overview", "leads", "lead", "campaigns", "campaign", "sellers", "seller", "spec", "login", "error", "webhooks", "webhook",
            "insights",
        ]
        for name in ["head", "foot", "facts", "table", "section"] + pages {
            #expect(DashboardTemplates.library.getTemplate(named: name) != nil, "\(name)")
        }
        #expect(!DashboardTemplates.stylesheet.isEmpty)
        let folder = try #require(DashboardTemplates.folder)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let raw = text.components(separatedBy: "{{{").dropFirst().map { String($0.prefix { $0 != "}" }) }
            #expect(raw.allSatisfy { $0 == "svgMarkup" || $0 == "guideMarkup" }, "\(file) inserts \(raw) unescaped")
            #expect(!text.contains("{{&"), "\(file)")
            #expect(!text.contains("<script"), "\(file): no scripts")
            #expect(!text.contains("http://") && !text.contains("https://"), "\(file): nothing fetched from elsewhere")
        }
    }
}
