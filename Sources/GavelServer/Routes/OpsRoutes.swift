import Foundation
import GavelCore
import Hummingbird

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
///
/// `/readyz` is ready only when the database takes a write now (``HealthStore/checkWritable()``):
/// not while PostgreSQL is down or restarting, nor while the SQLite file's disk is full; ready
/// again as soon as it is back.
struct OpsRoutes {
    let store: any HealthStore
    let metrics: ServerMetrics
    let circuits: any CircuitBoard

    func register(on router: Routes) {
        router.get("/healthz") { _, _ in JSONIO.response(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            do {
                try await store.checkWritable()
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
