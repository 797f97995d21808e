import GavelBuyers
import GavelCore
import GavelSim
import Testing

@Suite("SSRF guard")
struct AddressGuardTests {
    @Test(arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1", "224.0.0.1",
    ])
    func restrictedAddresses(_ address: String) {
        #expect(NetworkAddress.isRestricted(address))
    }

    @Test(arguments: ["8.8.8.8", "93.184.216.34", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])
    func publicAddresses(_ address: String) {
        #expect(!NetworkAddress.isRestricted(address))
    }

    @Test func urlsOnPrivateAddressesAreRefusedUnlessAllowed() async {
        let strict = AddressGuard(allowPrivate: false)
        #expect(await strict.problem(with: "http://127.0.0.1:8080/ping") != nil)
        #expect(await strict.problem(with: "http://localhost/ping") != nil)
        #expect(await strict.problem(with: "http://169.254.169.254/latest/meta-data") != nil)
        #expect(await strict.problem(with: "http://[::1]/ping") != nil)
        #expect(await AddressGuard(allowPrivate: true).problem(with: "http://127.0.0.1:8080/ping") == nil)
    }

    @Test func aNameResolvesToItsAddressesAsText() async {
        let addresses = await AddressGuard(allowPrivate: false).resolve("localhost")
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0 == "127.0.0.1" || $0 == "::1" })
        #expect(await AddressGuard(allowPrivate: false).problem(with: "http://localhost/ping")?.contains("resolves to") == true)
    }

    @Test func theGatewayRefusesToConnectToAPrivateAddress() async throws {
        try await withSandboxBuyers { buyers in
            let buyer = buyers.add("b", .bidding(Money(cents: 500)))
            try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: false)) { gateway in
                let campaign = Campaign(id: "c", buyerID: "b", vertical: "auto_insurance", delivery: buyer.delivery())
                let answer = await gateway.ping(pingRequest(), campaign: campaign, timeoutMS: patientMS)
                #expect(answer.kind == .connectError)
                #expect(answer.detail?.contains("blocked") == true)
                #expect(buyer.pings.isEmpty)
            }
        }
    }
}
