import GavelCore
import GavelStorePostgres
import GavelStoreSQLite
import GavelStoreSupport
import Testing

/// The storage port's contract, written against `any Storage` (`any Storage` for money,
/// reports and idempotency) so every backend runs the same checks: each function takes a
/// harness on a fresh database.
enum StorageConformance {}

extension StorageConformance {
    static func configCRUD(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        let records: [ConfigRecord] = [
            .vertical(Fixtures.vertical), .seller(Fixtures.seller), .buyer(Fixtures.buyer), .campaign(Fixtures.campaign),
            .campaign(Fixtures.directCampaign),
        ]
        for record in records { try await store.create(record) }
        var config = try await store.loadConfig()
        #expect(config.verticals[Fixtures.vertical.id] == Fixtures.vertical)
        #expect(config.sellers["S1"] == Fixtures.seller)
        #expect(config.buyers["acme"] == Fixtures.buyer)
        #expect(config.campaigns["acme-auto-ca"] == Fixtures.campaign)
        #expect(config.campaigns["acme-auto-ca"]?.delivery.secret == "s3cret-s3cret")
        #expect(config.campaigns["acme-direct"] == Fixtures.directCampaign)

        await #expect(throws: StorageError.conflict("S1")) { try await store.create(.seller(Fixtures.seller)) }
        // The same id under another kind is another record.
        try await store.create(.buyer(Buyer(id: "S1", name: "A buyer named like a seller")))

        var renamed = Fixtures.seller
        renamed.name = "Renamed"
        try await store.replace(.seller(renamed))
        let missing = Seller(id: "nobody", name: "x", alias: "x")
        await #expect(throws: StorageError.notFound("nobody")) { try await store.replace(.seller(missing)) }

        #expect(try await store.delete(.campaign, id: "acme-direct"))
        #expect(try await store.delete(.campaign, id: "acme-direct") == false)
        config = try await store.loadConfig()
        #expect(config.sellers["S1"]?.name == "Renamed")
        #expect(config.buyers["S1"] != nil)
        #expect(config.campaigns["acme-direct"] == nil)
        #expect(config.campaigns.count == 1)
    }

    static func configPersistsAcrossReopen(_ harness: some StoreHarness) async throws {
        do {
            let store = try await harness.open()
            for vertical in BuiltInVerticals.all { try await store.create(.vertical(vertical)) }
            try await store.create(.campaign(Fixtures.campaign))
        }
        let reopened = try await harness.open()
        let config = try await reopened.loadConfig()
        #expect(config.verticals.count == BuiltInVerticals.all.count)
        for vertical in BuiltInVerticals.all { #expect(config.verticals[vertical.id] == vertical) }
        #expect(config.campaigns["acme-auto-ca"] == Fixtures.campaign)
    }

    static func settingsRoundTrip(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        #expect(try await store.loadConfig().settings == Settings())
        let custom = Settings(
            auction: .secondPrice, defaultTmaxMS: 180, pingTTLSeconds: 60,
            floors: ["auto_insurance": Money("3.25"), "solar": Money("10.00")],
            dedupeDays: 0)
        try await store.saveSettings(custom)
        #expect(try await store.loadConfig().settings == custom)
        let other = Settings(floors: [:], dedupeDays: 7)
        try await store.saveSettings(other)
        #expect(try await store.loadConfig().settings == other)
        let reopened = try await harness.open()
        #expect(try await reopened.loadConfig().settings == other)
    }

    /// A seller's lifecycle status and the settings' `new_seller_status` survive every write,
    /// a reload and a reopen; the v1 default (`active`) is what an unchanged seller reads back.
    static func sellerStatusRoundTrip(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        var testing = Seller(id: "T1", name: "Testing seller", alias: "s-t1", status: .testing)
        try await store.create(.seller(testing))
        try await store.create(.seller(Fixtures.seller))
        #expect(try await store.loadConfig().sellers["T1"]?.status == .testing)
        #expect(try await store.loadConfig().sellers["S1"]?.status == .active)
        testing.status = .paused
        try await store.replace(.seller(testing))
        var settings = Settings()
        settings.newSellerStatus = .testing
        try await store.saveSettings(settings)
        let reopened = try await harness.open()
        let config = try await reopened.loadConfig()
        #expect(config.sellers["T1"]?.status == .paused)
        #expect(config.sellers["T1"] == testing)
        #expect(config.sellers["S1"]?.status == .active)
        #expect(config.settings.newSellerStatus == .testing)
    }

    static func apiKeys(_ harness: some StoreHarness) async throws {
        let store = try await harness.open()
        #expect(try await store.apiKeys().isEmpty)
        let admin = APIKeyRecord(
            id: "K1", role: .admin, subjectID: nil, hash: Fixtures.hasher.sha256Hex("key-1"), prefix: "gv_ab", label: "ops",
            createdAt: Fixtures.now)
        let seller = APIKeyRecord(
            id: "K2", role: .seller, subjectID: "S1", hash: Fixtures.hasher.sha256Hex("key-2"), prefix: "gv_cd",
            createdAt: Fixtures.now.adding(milliseconds: 5))
        try await store.createAPIKey(admin)
        try await store.createAPIKey(seller)
        #expect(try await store.apiKeys() == [admin, seller])
        var clash = seller
        clash.hash = Fixtures.hasher.sha256Hex("key-3")
        await #expect(throws: StorageError.conflict("K2")) { try await store.createAPIKey(clash) }
        #expect(try await store.deleteAPIKey(id: "K1"))
        #expect(try await store.deleteAPIKey(id: "K1") == false)
        let reopened = try await harness.open()
        #expect(try await reopened.apiKeys() == [seller])
    }
}
