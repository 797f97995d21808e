import GavelCore
import NIOCore
import NIOHTTP1
import NIOTLS

/// One request handed to a connection: what to send, which answers' bodies to read and how
/// much of them, and the promise the answer completes.
struct HTTP1Call: Sendable {
    /// The request head (method, target, headers with `Host` and `Content-Length`).
    var head: HTTPRequestHead
    /// The body, if the request has one.
    var body: ByteBuffer?
    /// For which statuses the body is read; for the others the answer is the head alone.
    var readsBody: @Sendable (Int) -> Bool
    /// The largest body read; a longer one is `tooLarge` and the connection is closed.
    var limit: Int
    /// Completed once with the answer, or failed with the connection's error.
    var promise: EventLoopPromise<CallResult>
}

/// The last handler of a pooled buyer connection: it writes one ``HTTP1Call`` at a time as a
/// head, a body and an end with one flush (one `writev`), reads the answer up to the call's
/// limit, and hands the connection back through `reusable` once the answer has ended on a
/// connection that stays open. Any error, or the connection closing, fails the call in flight.
final class HTTP1CallHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTP1Call
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        /// No call; the connection is idle (or in the pool).
        case idle
        /// The request is written; no answer yet.
        case awaitingHead(HTTP1Call)
        /// Reading the body the call wants.
        case reading(HTTP1Call, BuyerReply, keepAlive: Bool)
        /// The call is answered; the rest of the body is read and dropped.
        case draining(keepAlive: Bool)
        /// The connection is closing; nothing more is read or written.
        case closing
    }

    private var state = State.idle
    /// The error that closed the connection, told to a call that arrives after it.
    private var failure: (any Error)?
    private let reusable: @Sendable (any Channel) -> Void

    /// Creates the handler; `reusable` takes the connection back after each complete answer.
    init(reusable: @escaping @Sendable (any Channel) -> Void) {
        self.reusable = reusable
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let call = unwrapOutboundIn(data)
        guard case .idle = state else {
            let error = failure ?? ChannelError.inappropriateOperationForState
            call.promise.fail(error)
            promise?.fail(error)
            return
        }
        state = .awaitingHead(call)
        context.write(wrapOutboundOut(.head(call.head)), promise: nil)
        if let body = call.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let written = context.eventLoop.makePromise(of: Void.self)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.futureResult.whenFailure { handler.value.fail(bound.value, $0) }
        written.futureResult.cascade(to: promise)
        context.write(wrapOutboundOut(.end(nil)), promise: written)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): received(head, context: context)
        case .body(let buffer): received(buffer, context: context)
        case .end: ended(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let call = pending { call.promise.fail(failure ?? ChannelError.eof) }
        state = .closing
        context.fireChannelInactive()
    }

    private var pending: HTTP1Call? {
        switch state {
        case .awaitingHead(let call), .reading(let call, _, _): call
        case .idle, .draining, .closing: nil
        }
    }

    private func received(_ head: HTTPResponseHead, context: ChannelHandlerContext) {
        guard case .awaitingHead(let call) = state else { return unexpected(context) }
        let status = Int(head.status.code)
        let reply = BuyerReply(status: status, headers: head.headers.map { HeaderField(name: $0.name, value: $0.value) })
        guard call.readsBody(status) else {
            state = .draining(keepAlive: head.isKeepAlive)
            return call.promise.succeed(.response(reply))
        }
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > call.limit {
            return tooLarge(call, status: status, context: context)
        }
        state = .reading(call, reply, keepAlive: head.isKeepAlive)
    }

    private func received(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        guard case .reading(let call, var reply, let keepAlive) = state else { return }
        guard reply.body.count + buffer.readableBytes <= call.limit else {
            return tooLarge(call, status: reply.status, context: context)
        }
        state = .closing  // no copy of the body while it grows
        reply.body.append(contentsOf: buffer.readableBytesView)
        state = .reading(call, reply, keepAlive: keepAlive)
    }

    private func ended(context: ChannelHandlerContext) {
        switch state {
        case .reading(let call, let reply, let keepAlive):
            finish(keepAlive: keepAlive, context: context)  // back in the pool before the caller can ask again
            call.promise.succeed(.response(reply))
        case .draining(let keepAlive):
            finish(keepAlive: keepAlive, context: context)
        case .idle, .awaitingHead, .closing:
            unexpected(context)
        }
    }

    private func finish(keepAlive: Bool, context: ChannelHandlerContext) {
        guard keepAlive else {
            state = .closing
            return context.close(promise: nil)
        }
        state = .idle
        reusable(context.channel)
    }

    private func tooLarge(_ call: HTTP1Call, status: Int, context: ChannelHandlerContext) {
        state = .closing
        call.promise.succeed(.tooLarge(status: status))
        context.close(promise: nil)
    }

    /// Bytes nobody asked for: the connection cannot be trusted for another call.
    private func unexpected(_ context: ChannelHandlerContext) {
        fail(context, ChannelError.inappropriateOperationForState)
    }

    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        if failure == nil { failure = error }
        if let call = pending { call.promise.fail(failure ?? error) }
        if case .closing = state { return }
        state = .closing
        context.close(promise: nil)
    }
}

/// Completes `ready` once a TLS connection's handshake has succeeded, or fails it with the
/// handshake's error (an untrusted certificate, a server that does not speak TLS), so a
/// connection is handed out only when it can carry a request.
final class TLSReady: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// The handshake's outcome.
    let ready: EventLoopFuture<Void>
    private let promise: EventLoopPromise<Void>

    /// Creates the handler on the connection's event loop.
    init(eventLoop: any EventLoop) {
        promise = eventLoop.makePromise()
        ready = promise.futureResult
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
    }
}
