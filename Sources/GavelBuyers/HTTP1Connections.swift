import GavelCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The buyer calls' HTTP/1.1 client: keep-alive connections pooled per destination, each
/// request written with one flush and its answer read by ``HTTP1CallHandler``.
///
/// It does only what a buyer call needs — no redirects (a 3xx is an answer), no decompression
/// (the body limit counts bytes on the wire), no retries, no deadline of its own (the caller's
/// task is bounded, and cancelling it closes the connection and ends the call at once) — and
/// so costs a fraction of a general-purpose client per call (docs/PERFORMANCE.md).
///
/// Idle connections are kept up to `maxIdlePerDestination` per destination and for
/// `idleTimeout`; a burst opens as many as it needs and closes the extra ones afterwards. A
/// sweep on one event loop closes the connections idle for longer (at a quarter of the idle
/// timeout, at most every 10 s), so a buyer no longer called keeps none open.
final class HTTP1Connections: Sendable {
    /// One pool of connections: the address connected to, the port, and for TLS the server
    /// name verified.
    struct Destination: Hashable, Sendable {
        /// The host name or address connected to.
        var address: String
        /// The port.
        var port: Int
        /// The TLS server name (SNI and certificate check), `nil` for plain HTTP.
        var serverName: String?
        /// Whether the connection runs over TLS.
        var tls: Bool
    }

    private struct Idle: Sendable {
        var channel: any Channel
        var since: NIODeadline
    }

    private struct State: Sendable {
        var idle: [Destination: [Idle]] = [:]
        var open: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
    }

    private let state = Locked(State())
    private let group: any EventLoopGroup
    private let tlsContext: NIOSSLContext?
    private let maxIdlePerDestination: Int
    private let idleTimeout: TimeAmount
    private let connectTimeout: TimeAmount
    private let sweep = Locked<RepeatedTask?>(nil)

    /// Creates a client on `group`; TLS verifies servers against the system's trust roots and,
    /// if named, the PEM certificates in `extraTrustRoots`.
    init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxIdlePerDestination: Int,
        idleTimeout: Duration, connectTimeout: Duration, extraTrustRoots: String? = nil
    ) {
        self.group = group
        self.maxIdlePerDestination = max(1, maxIdlePerDestination)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.connectTimeout = TimeAmount(connectTimeout)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let extraTrustRoots { tls.additionalTrustRoots = [.file(extraTrustRoots)] }
        tlsContext = try? NIOSSLContext(configuration: tls)
        let every = TimeAmount.nanoseconds(min(max(self.idleTimeout.nanoseconds / 4, 10_000_000), 10_000_000_000))
        let task = group.next().scheduleRepeatedTask(initialDelay: every, delay: every) { [weak self] _ in self?.closeExpired() }
        sweep.withLock { $0 = task }
    }

    deinit {
        sweep.withLock { $0?.cancel() }
    }

    /// Closes the idle connections past the idle timeout, and forgets those already closed.
    func closeExpired() {
        let now = NIODeadline.now()
        let expired = state.withLock { state in
            var expired: [any Channel] = []
            for (destination, list) in state.idle {
                let kept = list.filter { isUsable($0, at: now) }
                guard kept.count < list.count || list.isEmpty else { continue }
                expired += list.filter { !isUsable($0, at: now) }.map(\.channel)
                state.idle[destination] = kept.isEmpty ? nil : kept
            }
            return expired
        }
        for channel in expired { channel.close(promise: nil) }
    }

    /// Whether an idle connection may carry another call: open, and idle for less than the timeout.
    private func isUsable(_ idle: Idle, at now: NIODeadline) -> Bool {
        now - idle.since < idleTimeout && idle.channel.isActive
    }

    /// Sends `head` and `body` to `destination` and reads the answer. Throws the connection's
    /// error, or `CancellationError` when the caller is cancelled.
    func execute(
        _ head: HTTPRequestHead, body: [UInt8]?, to destination: Destination, limit: Int,
        readsBody: @escaping @Sendable (Int) -> Bool
    ) async throws -> CallResult {
        let channel = try await connection(to: destination)
        let promise = channel.eventLoop.makePromise(of: CallResult.self)
        let bytes = body.map { channel.allocator.buffer(bytes: $0) }
        let call = HTTP1Call(head: head, body: bytes, readsBody: readsBody, limit: limit, promise: promise)
        channel.writeAndFlush(call).whenFailure { promise.fail($0) }  // a connection closed before the call reached it
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
            channel.close(promise: nil)
        }
    }

    /// The connections open now, idle or busy.
    var openChannels: [any Channel] { state.withLock { Array($0.open.values) } }

    /// Closes every connection, idle or busy (calls in flight fail); later calls fail at once.
    func shutdown() async {
        sweep.withLock { task in
            task?.cancel()
            task = nil
        }
        let channels = state.withLock { state in
            state.isShutDown = true
            state.idle = [:]
            return Array(state.open.values)
        }
        for channel in channels { try? await channel.close() }
    }

    /// An idle connection to `destination`, or a new one.
    private func connection(to destination: Destination) async throws -> any Channel {
        if let channel = try takeIdle(destination) { return channel }
        // One pick of the group's next loop per connection: a second one here (a promise on
        // `group.any()`) took every other loop in turn, and so put every connection on the same loop.
        let loop = group.next()
        let promise = loop.makePromise(of: (any Channel).self)
        let connecting = connect(to: destination, on: loop)
        connecting.cascade(to: promise)
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
            connecting.whenSuccess { $0.close(promise: nil) }
        }
    }

    private func takeIdle(_ destination: Destination) throws -> (any Channel)? {
        let now = NIODeadline.now()
        let (channel, expired) = try state.withLock { state throws(ChannelError) -> ((any Channel)?, [any Channel]) in
            guard !state.isShutDown else { throw ChannelError.ioOnClosedChannel }
            var expired: [any Channel] = []
            while let last = state.idle[destination]?.popLast() {  // in place: a copy of the list would copy it whole
                if isUsable(last, at: now) { return (last.channel, expired) }
                expired.append(last.channel)
            }
            return (nil, expired)
        }
        for old in expired { old.close(promise: nil) }
        return channel
    }

    private func connect(to destination: Destination, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let tls = destination.tls ? tlsContext : nil
        if destination.tls && tls == nil { return loop.makeFailedFuture(NIOSSLError.failedToLoadCertificate) }
        let reusable: @Sendable (any Channel) -> Void = { [weak self] channel in self?.release(channel, to: destination) }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: destination.serverName))
                        try pipeline.addHandler(TLSReady(eventLoop: channel.eventLoop))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(HTTP1CallHandler(reusable: reusable))
                }
            }
        return bootstrap.connect(host: destination.address, port: destination.port).flatMap { channel in
            Self.handshake(channel, tls: tls != nil)
        }.flatMapThrowing { channel in
            try self.opened(channel)
            return channel
        }
    }

    /// The connection once it can carry a request: at once for plain HTTP, after the TLS
    /// handshake for HTTPS.
    private static func handshake(_ channel: any Channel, tls: Bool) -> EventLoopFuture<any Channel> {
        guard tls else { return channel.eventLoop.makeSucceededFuture(channel) }
        do {
            return try channel.pipeline.syncOperations.handler(type: TLSReady.self).ready.map { channel }
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    /// Tracks a new connection until it closes; a client shut down meanwhile closes it.
    private func opened(_ channel: any Channel) throws {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { state in
            guard !state.isShutDown else { return false }
            state.open[id] = channel
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            throw ChannelError.ioOnClosedChannel
        }
        channel.closeFuture.whenComplete { [weak self] _ in self?.forget(id) }
    }

    private func forget(_ id: ObjectIdentifier) {
        state.withLock { state in _ = state.open.removeValue(forKey: id) }
    }

    /// Takes a connection back after a complete answer, or closes it when the pool is full.
    private func release(_ channel: any Channel, to destination: Destination) {
        let kept = state.withLock { state in
            guard !state.isShutDown, state.idle[destination, default: []].count < maxIdlePerDestination else { return false }
            state.idle[destination, default: []].append(Idle(channel: channel, since: .now()))
            return true
        }
        if !kept { channel.close(promise: nil) }
    }
}
