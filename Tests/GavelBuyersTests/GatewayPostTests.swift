import GavelBuyers
import GavelCore
import GavelSim
import Testing

@Suite struct GatewayPostTests {
    @Test func acceptedWithBuyerLeadID() async throws {
        try await withLive { buyers, gateway in
            let acme = buyers.add("acme", .bidding(Money("12.50")))
            let answer = await gateway.post(postRequest(), campaign: campaign(acme))
            #expect(answer.outcome == .accepted)
            #expect(answer.buyerLeadID == "acme-L1")
            #expect(answer.reason == nil)
            #expect(answer.latencyMicros > 0)
        }
    }

    @Test func rejectedAndDuplicateVerdicts() async throws {
        try await withLive { buyers, gateway in
            let picky = buyers.add("picky", SandboxBuyer.Behavior(postOutcome: .reject(reason: "outside service area")))
            let rejected = await gateway.post(postRequest(), campaign: campaign(picky))
            #expect(rejected.outcome == .rejected)
            #expect(rejected.reason == "outside service area")
            let seen = buyers.add("seen", SandboxBuyer.Behavior(postOutcome: .duplicate))
            #expect(await gateway.post(postRequest(), campaign: campaign(seen)).outcome == .duplicate)
        }
    }

    @Test(arguments: [
        (SandboxBuyer.Fault.httpStatus(500), "http_status_500"),
        (.junkBody, "malformed"),
        (.stringBid, "malformed"),
        (.hugeBody, "too_large"),
        (.httpStatus(204), "malformed"),
        (.redirect(to: "http://127.0.0.1:9/elsewhere"), "http_status_302"),
    ])
    func faultsAreRejectionsWithAReason(_ fault: SandboxBuyer.Fault, _ reason: String) async throws {
        let observer = RecordingObserver()
        try await withLive(observers: [observer]) { buyers, gateway in
            let buyer = buyers.add("faulty", SandboxBuyer.Behavior(postFault: fault))
            let answer = await gateway.post(postRequest(), campaign: campaign(buyer))
            #expect(answer.outcome == .rejected)
            #expect(answer.reason == reason)
        }
        #expect(observer.posts.first?.2?.reason == reason)
    }

    @Test func slowPostTimesOutAtThePostDeadline() async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("slow", SandboxBuyer.Behavior(postLatency: .fixed(.seconds(40))))
            let start = ContinuousClock.now
            let answer = await gateway.postWithinDeadline(postRequest(), campaign: campaign(buyer, postTimeoutMS: 150))
            #expect(answer.outcome == .rejected)
            #expect(answer.reason == "timeout")
            #expect(seconds(since: start) < 30, "cut at the post deadline, not after the buyer's 40 s")
        }
    }

    @Test(arguments: [SandboxBuyer.Fault.hang, .stallMidBody])
    func heldPostTimesOut(_ fault: SandboxBuyer.Fault) async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("holder", SandboxBuyer.Behavior(postFault: fault))
            let answer = await gateway.postWithinDeadline(postRequest(), campaign: campaign(buyer, postTimeoutMS: 150))
            #expect(answer.reason == "timeout")
        }
    }

    @Test func refusedPostIsConnectError() async throws {
        try await withClosedPortURL { url in
            try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
                let answer = await gateway.post(postRequest(), campaign: campaign(url: url))
                #expect(answer == PostAnswer(outcome: .rejected, reason: "connect_error", latencyMicros: answer.latencyMicros))
            }
        }
    }

    @Test func seededRandomRejectionsRepeat() async throws {
        func outcomes(seed: UInt64) async throws -> [PostAnswer.Outcome] {
            try await withLive { buyers, gateway in
                let behavior = SandboxBuyer.Behavior(postOutcome: .rejectSometimes(probability: 0.5, reason: "coin"), seed: seed)
                let buyer = buyers.add("coin", behavior)
                var result: [PostAnswer.Outcome] = []
                for _ in 0..<12 { result.append(await gateway.post(postRequest(), campaign: campaign(buyer)).outcome) }
                return result
            }
        }
        let first = try await outcomes(seed: 7)
        #expect(try await outcomes(seed: 7) == first)
        #expect(first.contains(.accepted) && first.contains(.rejected))
    }
}
