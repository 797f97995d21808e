import GavelBuyers
import GavelCore
import GavelSim
import Testing

/// A real HTTPBuyerGateway against real sandbox buyers on loopback.
@Suite struct GatewayPingTests {
    @Test func fixedBidIsExactMoneyWithBidID() async throws {
        try await withLive { buyers, gateway in
            let acme = buyers.add("acme", .bidding(Money("12.34")))
            let answer = await gateway.ping(pingRequest(), campaign: campaign(acme), timeoutMS: patientMS)
            #expect(answer.kind == .bid)
            #expect(answer.bid == Money(cents: 1234))
            #expect(answer.bidID == "acme-1")
            #expect(answer.latencyMicros > 0)
            acme.update { $0.bidID = .fixed("my-bid") }
            #expect(await gateway.ping(pingRequest(), campaign: campaign(acme), timeoutMS: patientMS).bidID == "my-bid")
        }
    }

    @Test(arguments: [SandboxBuyer.NoBidAnswer.null, .zero, .noContent])
    func noBidAnswers(_ style: SandboxBuyer.NoBidAnswer) async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("nobody", SandboxBuyer.Behavior(bid: .noBid, noBidAnswer: style))
            let answer = await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: patientMS)
            #expect(answer.kind == .noBid)
            #expect(answer.bid == nil)
        }
    }

    @Test func bidByFieldValue() async throws {
        try await withLive { buyers, gateway in
            let rule = SandboxBuyer.BidRule.byField("state", ["CA": Money("15")], otherwise: Money("3.5"))
            let buyer = buyers.add("by-state", SandboxBuyer.Behavior(bid: rule))
            #expect(await gateway.ping(pingRequest(state: "CA"), campaign: campaign(buyer), timeoutMS: patientMS).bid == Money("15"))
            #expect(await gateway.ping(pingRequest(state: "TX"), campaign: campaign(buyer), timeoutMS: patientMS).bid == Money("3.50"))
        }
    }

    @Test(arguments: [
        (SandboxBuyer.Fault.httpStatus(500), PingAnswer.Kind.httpStatus),
        (.junkBody, .malformed),
        (.stringBid, .invalidPrice),
        (.negativeBid, .invalidPrice),
        (.overPreciseBid, .invalidPrice),
        (.hugeBody, .tooLarge),
    ])
    func faultsAreTypedNoBids(_ fault: SandboxBuyer.Fault, _ kind: PingAnswer.Kind) async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("faulty", .failing(fault))
            let answer = await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: patientMS)
            #expect(answer.kind == kind)
            #expect(answer.bid == nil)
            #expect(answer.isFault)
        }
    }

    @Test func serverErrorDetail() async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("broken", .failing(.httpStatus(500)))
            #expect(await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: patientMS).detail == "HTTP 500")
        }
    }

    @Test func hangingBuyerTimesOutAtTheDeadline() async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("sleepy", .failing(.hang))
            let start = ContinuousClock.now
            let answer = await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: 100)
            #expect(answer.kind == .timeout)
            #expect(seconds(since: start) < 25, "cut at the deadline, not at the 30 s hang")
            #expect(answer.latencyMicros >= 90_000)
        }
    }

    @Test func bodyThatStallsAfterTheHeadTimesOut() async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("staller", .failing(.stallMidBody))
            let start = ContinuousClock.now
            let answer = await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: 150)
            #expect(answer.kind == .timeout)
            #expect(seconds(since: start) < 25, "cut at the deadline, not at the 30 s hang")
        }
    }

    @Test func bodyLimitIsConfigurable() async throws {
        try await withLive(gatewayConfiguration: HTTPBuyerGateway.Configuration(maxResponseBytes: 8, allowPrivateAddresses: true)) {
            buyers, gateway in
            let buyer = buyers.add("wordy", .bidding(Money("12.5")))
            #expect(await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: patientMS).kind == .tooLarge)
        }
    }

    @Test func slowBuyerPastTheDeadlineTimesOut() async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("slow", SandboxBuyer.Behavior(bid: .fixed(Money("9")), latency: .fixed(.milliseconds(400))))
            #expect(await gateway.ping(pingRequest(), campaign: campaign(buyer), timeoutMS: 100).kind == .timeout)
        }
    }

    @Test func cancellingTheCallerEndsThePingPromptly() async throws {
        try await withLive { buyers, gateway in
            let buyer = buyers.add("sleepy", .failing(.hang))
            let target = campaign(buyer)
            let start = ContinuousClock.now
            let answer = await withTaskGroup(of: PingAnswer?.self) { group in
                group.addTask { await gateway.ping(pingRequest(), campaign: target, timeoutMS: patientMS) }
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(100))
                    return nil
                }
                _ = await group.next()
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(answer?.kind == .timeout)
            #expect(seconds(since: start) < 25, "cut when cancelled, not at the 30 s hang")
        }
    }

    @Test func refusedConnectionIsConnectError() async throws {
        try await withClosedPortURL { url in
            try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
                let start = ContinuousClock.now
                let answer = await gateway.ping(pingRequest(), campaign: campaign(url: url), timeoutMS: patientMS)
                #expect(answer.kind == .connectError)
                #expect(answer.detail == "connection refused")
                _ = start  // a refusal is a `connect_error`, not a `timeout`: it did not wait for the deadline
            }
        }
    }

    @Test func unresolvableHostIsConnectError() async throws {
        try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
            let answer = await gateway.ping(
                pingRequest(), campaign: campaign(url: "http://gavel-no-such-host.invalid/ping"), timeoutMS: patientMS)
            #expect(answer.kind == .connectError || answer.kind == .timeout)
        }
    }

    @Test func redirectIsNotFollowed() async throws {
        try await withLive { buyers, gateway in
            let elsewhere = buyers.add("elsewhere", .bidding(Money("50")))
            let mover = buyers.add("mover", .failing(.redirect(to: elsewhere.pingURL)))
            let answer = await gateway.ping(pingRequest(), campaign: campaign(mover), timeoutMS: patientMS)
            #expect(answer.kind == .httpStatus)
            #expect(answer.detail == "HTTP 302")
            #expect(elsewhere.pings.isEmpty)
        }
    }

    @Test func missingPingURLIsAFaultNotACrash() async throws {
        try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
            let direct = Campaign(id: "d", buyerID: "b", vertical: "auto_insurance", delivery: Campaign.Delivery(mode: .remote))
            #expect(await gateway.ping(pingRequest(), campaign: direct, timeoutMS: patientMS).kind == .connectError)
            #expect(await gateway.ping(pingRequest(), campaign: campaign(url: "not a url"), timeoutMS: patientMS).kind == .connectError)
            let socket = campaign(url: "http+unix://%2Fvar%2Frun%2Fdocker.sock/ping")
            let refused = await gateway.ping(pingRequest(), campaign: socket, timeoutMS: patientMS)
            #expect(refused.kind == .connectError)
            #expect(refused.detail == "not an http or https URL")
        }
    }

    @Test func twentySlowBuyersArePingedInParallel() async throws {
        try await withLive { buyers, gateway in
            let campaigns = (1...20).map { index in
                campaign(buyers.add("b\(index)", SandboxBuyer.Behavior(bid: .fixed(Money("2")), latency: .fixed(.seconds(2)))))
            }
            let start = ContinuousClock.now
            let answers = await withTaskGroup(of: PingAnswer.self) { group in
                for target in campaigns {
                    group.addTask { await gateway.ping(pingRequest(), campaign: target, timeoutMS: patientMS) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(seconds(since: start) < 30, "one after another would take 40 s")
            #expect(answers.count == 20)
            #expect(answers.allSatisfy { $0.kind == .bid && $0.bid == Money("2") })
        }
    }

    @Test func observersSeeEveryAnswer() async throws {
        let observer = RecordingObserver()
        try await withLive(observers: [observer]) { buyers, gateway in
            let good = buyers.add("good", .bidding(Money("1")))
            let bad = buyers.add("bad", .failing(.junkBody))
            _ = await gateway.ping(pingRequest(), campaign: campaign(good), timeoutMS: patientMS)
            _ = await gateway.ping(pingRequest(), campaign: campaign(bad), timeoutMS: patientMS)
        }
        #expect(observer.pings.map(\.0) == ["good-campaign", "bad-campaign"])
        #expect(observer.pings.map(\.1.kind) == [.bid, .malformed])
    }
}

@Suite struct GatewayLoadTests {
    @Test func aBurstBeyondThePoolSizeQueuesAndCompletes() async throws {
        // A generous connect timeout: the test is about queueing beyond the pool, and opening
        // 128 connections at once on a busy 2-core machine can take seconds.
        let configuration = HTTPBuyerGateway.Configuration(connectTimeout: .seconds(30), allowPrivateAddresses: true)
        try await withLive(gatewayConfiguration: configuration) { buyers, gateway in
            let campaigns = (1...10).map { index in
                campaign(buyers.add("load\(index)", SandboxBuyer.Behavior(bid: .fixed(Money("1.25")), latency: .fixed(.milliseconds(20)))))
            }
            let answers = await withTaskGroup(of: PingAnswer.self) { group in
                for call in 0..<300 {
                    let target = campaigns[call % campaigns.count]
                    group.addTask { await gateway.ping(pingRequest(), campaign: target, timeoutMS: 60_000) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 300)
            #expect(
                answers.allSatisfy { $0.kind == .bid && $0.bid == Money("1.25") }, "\(Set(answers.map { "\($0.kind) \($0.detail ?? "")" }))"
            )
            #expect(buyers.received.count == 300)
        }
    }
}
