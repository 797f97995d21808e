import Foundation
import GavelCore
import Hummingbird

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
struct OpsRoutes {
    let store: any KeyStore
    let metrics: ServerMetrics
    let circuits: any CircuitBoard

    func register(on router: Routes) {
        router.get("/healthz") { _, _ in JSONIO.response(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            do {
                _ = try await store.apiKeys()
                return JSONIO.response(["status": "ready", "database": "ok"])
            } catch {
                return JSONIO.response(["status": "unavailable", "database": "unreachable"], status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            metrics.circuits(circuits.circuitStates())
            return JSONIO.text(metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(bytes: OpenAPIDocument.bytes)))
        }
    }
}

/// The served OpenAPI document, shipped as a package resource.
enum OpenAPIDocument {
    /// Its bytes.
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url)
        else { return Array("{}".utf8) }
        return Array(data)
    }()
}
