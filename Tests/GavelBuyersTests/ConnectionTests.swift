import Foundation
import GavelCore
import GavelTesting
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import GavelBuyers

/// The buyer calls' own HTTP/1.1 client: connections kept alive and reused, a server that
/// closes answered on a new connection each time, TLS verified against trusted roots.
@Suite struct ConnectionTests {
    static let bid = #"{"bid": 9.5, "bid_id": "b-1"}"#

    @Test func keepAliveConnectionsAreReused() async throws {
        let server = try await LoopbackServer.start(body: Self.bid)
        try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
            for _ in 0..<5 {
                let answer = await gateway.ping(
                    pingRequest(), campaign: campaign(url: "http://127.0.0.1:\(server.port)/ping"), timeoutMS: patientMS)
                #expect(answer.kind == .bid && answer.bid == Money(cents: 950) && answer.bidID == "b-1")
            }
        }
        #expect(server.requests == 5)
        #expect(server.connections == 1, "one keep-alive connection for five calls in a row")
        await server.stop()
    }

    @Test func aConnectionIdlePastTheIdleTimeoutIsClosedWithoutAnotherCall() async throws {
        let server = try await LoopbackServer.start(body: Self.bid)
        let url = "http://127.0.0.1:\(server.port)/ping"
        let configuration = HTTPBuyerGateway.Configuration(idleTimeout: .milliseconds(200), allowPrivateAddresses: true)
        try await withHTTPBuyerGateway(configuration: configuration) { gateway in
            #expect(await gateway.ping(pingRequest(), campaign: campaign(url: url), timeoutMS: patientMS).kind == .bid)
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while server.closed == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.closed == 1, "the idle connection is closed by the client's sweep, with no other call made")
            #expect(await gateway.ping(pingRequest(), campaign: campaign(url: url), timeoutMS: patientMS).kind == .bid)
        }
        #expect(server.connections == 2, "the next call opened a new connection")
        await server.stop()
    }

    @Test func eachNewConnectionAsksTheGroupForOneLoop() async throws {
        let group = InTurn(MultiThreadedEventLoopGroup(numberOfThreads: 2))
        let client = HTTP1Connections(group: group, maxIdlePerDestination: 4, idleTimeout: .seconds(60), connectTimeout: .seconds(5))
        var servers: [LoopbackServer] = []
        for _ in 0..<4 { servers.append(try await LoopbackServer.start(body: Self.bid)) }
        for server in servers {
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["Host": "127.0.0.1"])
            let destination = HTTP1Connections.Destination(address: "127.0.0.1", port: server.port, serverName: nil, tls: false)
            _ = try await client.execute(head, body: nil, to: destination, limit: 1_024, readsBody: { _ in true })
        }
        let perLoop = Dictionary(grouping: client.openChannels) { ObjectIdentifier($0.eventLoop) }.mapValues(\.count)
        #expect(perLoop.count == 2 && perLoop.values.allSatisfy { $0 == 2 }, "two connections on each loop: \(perLoop.values)")
        #expect(group.asked == 5, "once for the idle sweep, then once per new connection: asking twice would take every other loop")
        await client.shutdown()
        for server in servers { await server.stop() }
        try await group.base.shutdownGracefully()
    }

    @Test func aServerThatClosesIsCalledOnANewConnectionEachTime() async throws {
        let server = try await LoopbackServer.start(body: Self.bid, closes: true)
        try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
            for _ in 0..<3 {
                let answer = await gateway.ping(
                    pingRequest(), campaign: campaign(url: "http://127.0.0.1:\(server.port)/ping"), timeoutMS: patientMS)
                #expect(answer.kind == .bid)
            }
        }
        #expect(server.requests == 3 && server.connections == 3)
        await server.stop()
    }

    @Test func httpsBuyersAreCalledOverVerifiedTLS() async throws {
        let roots = try TestCertificate.trustRootsFile()
        defer { try? FileManager.default.removeItem(atPath: roots) }
        let server = try await LoopbackServer.start(body: Self.bid, tls: try TestCertificate.serverContext())
        let url = "https://localhost:\(server.port)/ping"
        let trusted = HTTPBuyerGateway.Configuration(allowPrivateAddresses: true, extraTrustRoots: roots)
        try await withHTTPBuyerGateway(configuration: trusted) { gateway in
            for _ in 0..<2 {
                let answer = await gateway.ping(pingRequest(), campaign: campaign(url: url), timeoutMS: patientMS)
                #expect(answer.kind == .bid && answer.bid == Money(cents: 950), "\(answer)")
            }
        }
        #expect(server.connections == 1, "the TLS connection is kept alive")
        try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
            let answer = await gateway.ping(pingRequest(), campaign: campaign(url: url), timeoutMS: patientMS)
            #expect(answer.kind == .connectError && answer.detail == "tls failure", "an untrusted certificate is refused: \(answer)")
        }
        #expect(server.requests == 2, "nothing is sent to a server whose certificate fails")
        await server.stop()
    }

    @Test func webhooksToHTTPSReceiversUseTheSameTrustRoots() async throws {
        let roots = try TestCertificate.trustRootsFile()
        defer { try? FileManager.default.removeItem(atPath: roots) }
        let receiver = try await LoopbackServer.start(body: "{}", tls: try TestCertificate.serverContext())
        let url = "https://localhost:\(receiver.port)/hooks"
        let trusting = HTTPWebhookPoster(allowPrivateAddresses: true, extraTrustRoots: roots)
        #expect(await trusting.post(url: url, body: Array("{}".utf8), secret: "s", headers: []) == .status(200))
        try await trusting.shutdown()
        let plain = HTTPWebhookPoster(allowPrivateAddresses: true)
        let refused = await plain.post(url: url, body: Array("{}".utf8), secret: "s", headers: [])
        #expect(refused != .status(200), "an untrusted receiver's certificate is refused: \(refused)")
        try await plain.shutdown()
        #expect(receiver.requests == 1)
        await receiver.stop()
    }

    @Test func aTrustRootsFileIsCheckedBeforeUse() throws {
        let roots = try TestCertificate.trustRootsFile()
        defer { try? FileManager.default.removeItem(atPath: roots) }
        #expect(try TrustRoots.certificates(in: roots) == 1)
        let garbage = roots + ".txt"
        try "not a certificate".write(toFile: garbage, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        #expect(throws: TrustRoots.Unusable.self) { try TrustRoots.certificates(in: garbage) }
        #expect(throws: TrustRoots.Unusable.self) { try TrustRoots.certificates(in: roots + ".missing") }
    }

    @Test func httpsToAPlainServerIsAConnectError() async throws {
        let server = try await LoopbackServer.start(body: Self.bid)
        try await withHTTPBuyerGateway(configuration: .init(allowPrivateAddresses: true)) { gateway in
            let answer = await gateway.ping(
                pingRequest(), campaign: campaign(url: "https://localhost:\(server.port)/ping"), timeoutMS: patientMS)
            #expect(answer.kind == .connectError, "\(answer)")
        }
        #expect(server.requests == 0)
        await server.stop()
    }

    @Test func urlsParseIntoWhereTheCallGoes() throws {
        let plain = try CallTarget.parse("http://buyer.example/api/ping?key=a%20b&x=1").get()
        #expect(
            plain == CallTarget(tls: false, host: "buyer.example", port: 80, path: "/api/ping?key=a%20b&x=1", hostHeader: "buyer.example"))
        let tls = try CallTarget.parse("HTTPS://Buyer.example:8443").get()
        #expect(tls.tls && tls.port == 8443 && tls.path == "/" && tls.hostHeader.lowercased() == "buyer.example:8443")
        let six = try CallTarget.parse("http://[::1]:9000/p").get()
        #expect(six.host == "::1" && six.hostHeader == "[::1]:9000" && six.path == "/p")
        #expect(CallTarget.parse("ftp://buyer.example/") == .failure(.notWeb))
        #expect(CallTarget.parse("http+unix://%2Ftmp%2Fs/") == .failure(.notWeb))
        #expect(CallTarget.parse("http:///path") == .failure(.noHost))
        #expect(CallTarget.parse("http://buyer.example:99999/") == .failure(.invalid))
    }

    @Test func headerNamesCompareInAnyCase() {
        #expect(BuyerTransport.isNamed("Content-Length", "content-length"))
        #expect(BuyerTransport.isNamed("HOST", "host") && BuyerTransport.isNamed("host", "host"))
        #expect(!BuyerTransport.isNamed("Hosts", "host") && !BuyerTransport.isNamed("Hos", "host"))
        #expect(!BuyerTransport.isNamed("X-Host", "host") && !BuyerTransport.isNamed("", "host"))
        #expect(!BuyerTransport.isNamed("h\u{C5}st", "host"))
    }

    @Test func aTargetKnowsWhetherItsHostIsAnAddress() throws {
        #expect(try CallTarget.parse("https://93.184.216.34/p").get().isLiteral)
        #expect(try CallTarget.parse("http://[::1]:9000/p").get().isLiteral)
        #expect(try !CallTarget.parse("https://buyer.example/p").get().isLiteral)
    }

    @Test func parsedTargetsAreKeptByURLUpToTheirCapacity() throws {
        let targets = CallTargets(capacity: 2)
        #expect(try targets.target("http://buyer.example/a").get().path == "/a")
        #expect(try targets.target("http://buyer.example/a").get() == CallTarget.parse("http://buyer.example/a").get())
        #expect(targets.count == 1)
        #expect(targets.target("ftp://buyer.example/") == .failure(.notWeb))
        #expect(targets.count == 1)
        #expect(try targets.target("https://buyer.example:8443/b").get().port == 8443)
        #expect(targets.count == 2)
        #expect(try targets.target("http://other.example/c").get().hostHeader == "other.example")
        #expect(targets.count == 1)
    }

    @Test func theDestinationIsThePinnedAddressForHTTPAndTheNameForHTTPS() throws {
        let plain = try CallTarget.parse("http://buyer.example:8080/p").get()
        #expect(
            BuyerTransport.destination(plain, pinned: "93.184.216.34")
                == .init(address: "93.184.216.34", port: 8080, serverName: nil, tls: false))
        let tls = try CallTarget.parse("https://buyer.example/p").get()
        #expect(
            BuyerTransport.destination(tls, pinned: "93.184.216.34")
                == .init(address: "buyer.example", port: 443, serverName: "buyer.example", tls: true))
        let literal = try CallTarget.parse("https://93.184.216.34/p").get()
        #expect(BuyerTransport.destination(literal, pinned: nil).serverName == nil)
    }
}

/// A group over a real one that hands out its loops strictly in turn, from `any()` too (as a
/// group does for a caller on none of its threads), so where connections land is deterministic.
final class InTurn: EventLoopGroup {
    let base: MultiThreadedEventLoopGroup
    private let loops: [any EventLoop]
    private let turn = Locked(0)

    init(_ base: MultiThreadedEventLoopGroup) {
        self.base = base
        loops = Array(base.makeIterator())
    }

    func next() -> any EventLoop {
        turn.withLock { turn in
            defer { turn += 1 }
            return loops[turn % loops.count]
        }
    }

    func any() -> any EventLoop { next() }

    /// How many loops were handed out.
    var asked: Int { turn.withLock { $0 } }

    func makeIterator() -> EventLoopIterator { base.makeIterator() }

    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        base.shutdownGracefully(queue: queue, callback)
    }
}
