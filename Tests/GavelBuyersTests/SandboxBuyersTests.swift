import GavelBuyers
import GavelCore
import GavelSim
import ServiceLifecycle
import Testing

@Suite struct SandboxBuyersTests {
    @Test func recordsSignedPingsWithTheirHeaders() async throws {
        try await withLive { buyers, gateway in
            let acme = buyers.add("acme", .bidding(Money("4")))
            let request = pingRequest()
            _ = await gateway.ping(request, campaign: campaign(acme), timeoutMS: patientMS)
            let ping = try #require(acme.pings.first)
            #expect(ping.signatureVerified)
            #expect(ping.body == JSONWriter.bytes(request.json))
            #expect(ping.json == request.json)
            #expect(ping.header("content-type") == "application/json")
            #expect(ping.header("User-Agent") == "gavel/1")
            #expect(ping.header("x-gavel-signature")?.hasPrefix("sha256=") == true)
            #expect(ping.header("x-gavel-timestamp").flatMap { Int64($0) } != nil)
            #expect(ping.pingID == "P1")
            #expect(acme.posts.isEmpty)
        }
    }

    @Test func wrongSecretIsRefusedAndRecordedAsUnverified() async throws {
        try await withLive { buyers, gateway in
            let acme = buyers.add("acme", .bidding(Money("4")))
            let answer = await gateway.ping(pingRequest(), campaign: campaign(acme, secret: "not-the-secret"), timeoutMS: patientMS)
            #expect(answer.kind == .httpStatus)
            #expect(answer.detail == "HTTP 401")
            #expect(acme.pings.map(\.signatureVerified) == [false])
            let post = await gateway.post(postRequest(), campaign: campaign(acme, secret: "not-the-secret"))
            #expect(post.reason == "http_status_401")
            #expect(acme.posts.map(\.signatureVerified) == [false])
        }
    }

    @Test func lenientBuyerAnswersUnsignedCallsButRecordsThem() async throws {
        try await withLive { buyers, gateway in
            let lax = buyers.add("lax", SandboxBuyer.Behavior(bid: .fixed(Money("1")), requireSignature: false))
            let answer = await gateway.ping(pingRequest(), campaign: campaign(lax, secret: "wrong"), timeoutMS: patientMS)
            #expect(answer.kind == .bid)
            #expect(lax.pings.first?.signatureVerified == false)
        }
    }

    @Test func onlyThePostCarriesPersonalFields() async throws {
        try await withLive { buyers, gateway in
            let winner = buyers.add("winner", .bidding(Money("9")))
            let loser = buyers.add("loser", .bidding(Money("3")))
            for buyer in [winner, loser] { _ = await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: patientMS) }
            _ = await gateway.post(postRequest(bidID: "winner-1"), campaign: campaign(winner))
            let pings = buyers.received.filter { $0.kind == .ping }
            #expect(pings.count == 2)
            #expect(pings.allSatisfy { !$0.bodyText.contains("phone") && !$0.bodyText.contains("first_name") })
            #expect(loser.posts.isEmpty)
            let post = try #require(winner.posts.first)
            #expect(post.fields["phone"] == "4155550100")
            #expect(post.json?["bid_id"] == "winner-1")
            #expect(post.json?["price"] == .number(Number(significand: 125, exponent: -1)))
            #expect(post.leadID == "L1")
        }
    }

    @Test func unknownBuyerIs404() async throws {
        try await withLive { buyers, gateway in
            let answer = await gateway.ping(pingRequest(), campaign: campaign(url: buyers.pingURL("nobody")), timeoutMS: patientMS)
            #expect(answer.detail == "HTTP 404")
            #expect(buyers.received.isEmpty)
        }
    }

    @Test func behaviorChangesAtRuntime() async throws {
        try await withLive { buyers, gateway in
            let acme = buyers.add("acme", .bidding(Money("4")))
            #expect(await gateway.ping(pingRequest(), campaign: campaign(acme), timeoutMS: patientMS).kind == .bid)
            acme.update { $0.pingFault = .httpStatus(503) }
            #expect(await gateway.ping(pingRequest(), campaign: campaign(acme), timeoutMS: patientMS).detail == "HTTP 503")
            acme.set(.noBid)
            #expect(await gateway.ping(pingRequest(), campaign: campaign(acme), timeoutMS: patientMS).kind == .noBid)
            #expect(acme.pings.count == 3)
            buyers.clearReceived()
            #expect(acme.pings.isEmpty)
            #expect(buyers.names == ["acme"])
            #expect(buyers.buyer("acme") != nil && buyers.buyer("ghost") == nil)
        }
    }

    @Test func customBidRuleSeesThePing() async throws {
        try await withLive { buyers, gateway in
            let rule = SandboxBuyer.BidRule.custom { ping in ping["fields"]?["age"] == 34 ? Money("34") : nil }
            let buyer = buyers.add("ager", SandboxBuyer.Behavior(bid: rule))
            #expect(await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: patientMS).bid == Money("34"))
        }
    }

    @Test func randomLatencyStaysInRange() async throws {
        try await withLive { buyers, gateway in
            let latency = SandboxBuyer.Latency.random(.milliseconds(20)...(.milliseconds(60)))
            let buyer = buyers.add("jitter", SandboxBuyer.Behavior(bid: .fixed(Money("1")), latency: latency))
            for _ in 0..<3 {
                let answer = await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: patientMS)
                #expect(answer.kind == .bid)
                #expect(answer.latencyMicros >= 20_000)
            }
        }
    }

    @Test func stoppingEndsHeldRequestsPromptly() async throws {
        let stopping = Locked(ContinuousClock.now)
        try await withLive { buyers, gateway in
            let sleepy = buyers.add("sleepy", .failing(.hang))
            let staller = buyers.add("staller", .failing(.stallMidBody))
            _ = await gateway.ping(pingRequest(), campaign: campaign(sleepy), timeoutMS: 50)
            _ = await gateway.ping(pingRequest(), campaign: campaign(staller), timeoutMS: 50)
            stopping.withLock { $0 = ContinuousClock.now }  // the requests are held; now the sandbox stops
        }
        #expect(seconds(since: stopping.withLock { $0 }) < 25, "stopping must not wait for the 30 s hang limit")
    }

    @Test func stoppingWhileACallIsHeldAnswersIt() async throws {
        try await withSandboxBuyers { buyers in
            let sleepy = buyers.add("sleepy", .failing(.hang))
            let target = campaign(sleepy)
            try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
                async let answer = gateway.ping(pingRequest(), campaign: target, timeoutMS: patientMS)
                while sleepy.pings.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                let start = ContinuousClock.now
                await buyers.stop()
                #expect(await answer.kind == .noBid)
                #expect(seconds(since: start) < 25, "shut down before the 30 s hang ended")
            }
        }
    }

    @Test func runAndWaitInATaskGroup() async throws {
        let buyers = SandboxBuyers()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await buyers.run() }
            let port = try await buyers.waitUntilRunning()
            #expect(buyers.port == port)
            #expect(buyers.pingURL("x") == "http://127.0.0.1:\(port)/buyers/x/ping")
            await buyers.stop()
            try await group.waitForAll()
        }
        #expect(buyers.port == nil)
        await #expect(throws: SandboxBuyers.Failure.stopped) { try await buyers.waitUntilRunning() }
    }

    @Test func runsAsAServiceAndShutsDownGracefully() async throws {
        let buyers = SandboxBuyers()
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [buyers], logger: .init(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            try await buyers.waitUntilRunning()
            let sleepy = buyers.add("sleepy", .failing(.hang))
            try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
                async let answer = gateway.ping(pingRequest(), campaign: campaign(sleepy), timeoutMS: patientMS)
                while sleepy.pings.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                let start = ContinuousClock.now
                await services.triggerGracefulShutdown()
                #expect(await answer.kind == .noBid)
                try await group.waitForAll()
                #expect(seconds(since: start) < 25, "shut down before the 30 s hang ended")
            }
        }
        #expect(buyers.port == nil)
    }

    @Test func aPortInUseFailsToStartWithTheServersError() async throws {
        try await withSandboxBuyers { first in
            let taken = SandboxBuyers.Configuration(port: try #require(first.port))
            await #expect(throws: (any Error).self) {
                try await withSandboxBuyers(configuration: taken) { _ in }
            }
        }
    }
}
