import GavelBuyers
import GavelCore
import Logging
import ServiceLifecycle

/// Closes the admission gate first when the server is asked to stop, then waits for admitted
/// auctions to finish, so new leads get 503 while in-flight ones complete. Run it after the
/// application in the service group (graceful shutdown runs in reverse order).
public struct AdmissionGateService: Service {
    let gate: AdmissionGate

    /// Creates the service.
    public init(gate: AdmissionGate) {
        self.gate = gate
    }

    /// Waits for graceful shutdown, closes the gate and drains.
    public func run() async throws {
        try? await gracefulShutdown()
        gate.close()
        while gate.running > 0 {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Keeps the buyer HTTP client alive while the server runs and shuts it down afterwards.
public struct GatewayService: Service {
    let gateway: HTTPBuyerGateway

    /// Creates the service.
    public init(gateway: HTTPBuyerGateway) {
        self.gateway = gateway
    }

    /// Waits for graceful shutdown, then shuts the client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await gateway.shutdown()
    }
}
