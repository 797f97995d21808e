import Testing

@testable import GavelCore

/// A seller's lifecycle status in its wire form, the settings' default for new sellers, and
/// what a testing seller's status does to its submissions.
@Suite("Seller status")
struct SellerStatusTests {
    @Test func statusDefaultsToActiveAndRoundTrips() throws {
        #expect(try success(Seller.parse([:], defaultID: "S1", defaultAlias: "a")).status == .active)
        let testing = try success(Seller.parse([:], defaultID: "S1", defaultAlias: "a", defaultStatus: .testing))
        #expect(testing.status == .testing)
        #expect(testing.json["status"] == "testing")
        let paused = try success(Seller.parse(["status": "paused"], defaultID: "S1", defaultAlias: "a", defaultStatus: .testing))
        #expect(paused.status == .paused)
        #expect(try success(Seller.parse(paused.json, defaultID: "x", defaultAlias: "y")) == paused)
        #expect(errorPaths(Seller.parse(["status": "retired"], defaultID: "S1", defaultAlias: "a")) == ["status"])
        #expect(errorPaths(Seller.parse(["status": true], defaultID: "S1", defaultAlias: "a")) == ["status"])
    }

    @Test func newSellerStatusIsActiveOrTesting() throws {
        #expect(Settings().newSellerStatus == .active)
        #expect(Settings().json["new_seller_status"] == "active")
        let testing = try success(Settings.parse(["new_seller_status": "testing"], current: Settings()))
        #expect(testing.newSellerStatus == .testing)
        #expect(try success(Settings.parse(["ping_ttl_s": 60], current: testing)).newSellerStatus == .testing)
        #expect(errorPaths(Settings.parse(["new_seller_status": "paused"], current: Settings())) == ["new_seller_status"])
        #expect(try success(Settings.parse(testing.json, current: Settings())) == testing)
    }

    @Test func aTestingSellersSubmissionsAreTests() {
        let submission = LeadSubmission(vertical: "auto_insurance", test: false, fields: [:])
        #expect(submission.asSeller(Seller(id: "S1", name: "S1", alias: "a", status: .testing)).test)
        #expect(!submission.asSeller(Seller(id: "S1", name: "S1", alias: "a", status: .active)).test)
        var test = submission
        test.test = true
        #expect(test.asSeller(Seller(id: "S1", name: "S1", alias: "a", status: .active)).test)
    }
}
