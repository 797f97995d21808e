import GavelBuyers
import GavelCore
import Hummingbird

/// The sandbox's HTTP face: reads a call, lets the registry record it and decide the reply,
/// then waits as told and answers.
struct SandboxRoutes: Sendable {
    let registry: SandboxRegistry
    let foreign: ForeignRegistry
    let configuration: SandboxBuyers.Configuration

    /// The router with the ping and post routes of every buyer.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/buyers/:name/ping") { request, context in
            try await handle(request, context: context, kind: .ping)
        }
        router.post("/buyers/:name/post") { request, context in
            try await handle(request, context: context, kind: .post)
        }
        router.get("/foreign/:shape/:name/ping") { request, context in try await foreignCall(request, context, .ping) }
        router.post("/foreign/:shape/:name/ping") { request, context in try await foreignCall(request, context, .ping) }
        router.post("/foreign/:shape/:name/post") { request, context in try await foreignCall(request, context, .post) }
        return router
    }

    /// A call to a buyer with its own API: recorded, answered in its shape after its latency.
    private func foreignCall(
        _ request: Request, _ context: BasicRequestContext, _ kind: ForeignBuyer.Received.Kind
    ) async throws -> Response {
        let name = try context.parameters.require("name")
        guard let shape = ForeignShape(rawValue: try context.parameters.require("shape")) else { return Response(status: .notFound) }
        var request = request
        let body = Array(try await request.collectBody(upTo: configuration.maxRequestBytes).readableBytesView)
        let query = FormDecoding.pairs(request.uri.query ?? "")
        let call = ForeignRequest(method: request.method.rawValue, query: query, headers: Self.headers(of: request), body: body)
        guard let (answer, latency) = foreign.receive(call, buyer: name, shape: shape, kind: kind) else {
            return Response(status: .notFound)
        }
        if latency > .zero { await registry.hold(upTo: latency) }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: [.contentType: answer.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }

    private func handle(_ request: Request, context: BasicRequestContext, kind: SandboxBuyer.Received.Kind) async throws -> Response {
        let arrival = ContinuousClock.now
        let name = try context.parameters.require("name")
        var request = request
        let body = Array(try await request.collectBody(upTo: configuration.maxRequestBytes).readableBytesView)
        let call = SandboxCall(
            buyer: name, kind: kind, headers: Self.headers(of: request), body: body, json: try? JSONParser.parse(body),
            arrival: arrival)
        guard let reply = registry.receive(call, verify: { verify(call, secret: $0) }) else {
            return response(.error("no sandbox buyer named \(name)", status: 404))
        }
        return await respond(reply)
    }

    private func verify(_ call: SandboxCall, secret: String) -> Bool {
        let now = configuration.signatureToleranceSeconds == nil ? nil : SystemWallClock().now()
        return BuyerSignature.verify(
            signature: call.headers["x-gavel-signature"], timestamp: call.headers["x-gavel-timestamp"], body: call.body,
            secret: secret, now: now, toleranceSeconds: configuration.signatureToleranceSeconds ?? 0)
    }

    /// Waits as the reply says (cut short when the sandbox stops), then builds the response.
    private func respond(_ reply: SandboxReply) async -> Response {
        if reply.delay > .zero { await registry.hold(upTo: reply.delay) }
        if reply.hangs { await registry.hold(upTo: configuration.hangLimit) }
        return response(reply)
    }

    private func response(_ reply: SandboxReply) -> Response {
        var headers = HTTPFields()
        if let contentType = reply.contentType { headers[.contentType] = contentType }
        if let location = reply.location { headers[.location] = location }
        return Response(status: HTTPResponse.Status(code: reply.status), headers: headers, body: body(reply))
    }

    private func body(_ reply: SandboxReply) -> ResponseBody {
        guard reply.chunked else { return ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)) }
        let hangLimit = configuration.hangLimit
        let registry = registry
        return ResponseBody { writer in
            for start in stride(from: 0, to: reply.body.count, by: 8_192) {
                try await writer.write(ByteBuffer(bytes: reply.body[start..<min(start + 8_192, reply.body.count)]))
            }
            if reply.stallsMidBody { await registry.hold(upTo: hangLimit) }
            try await writer.finish(nil)
        }
    }

    private static func headers(of request: Request) -> [String: String] {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
        }
        return headers
    }
}
