import GavelCore
import Hummingbird
import Prometheus

/// The exchange's Prometheus metrics: HTTP requests and latencies, leads by status and their
/// exchange time, ping answers by kind, eligibility skips by reason, posts by outcome.
public final class ServerMetrics: ExchangeObserver, Sendable {
    /// The registry `/metrics` emits.
    public let registry: PrometheusCollectorRegistry
    private let state = Locked(State())

    static let requestBuckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500].map { .milliseconds($0) }

    /// Creates metrics on their own registry.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The Prometheus text exposition.
    public func exposition() -> String {
        registry.emitToString()
    }

    /// Identifies a metric by name and label values without building a string per event.
    private struct Key: Hashable, Sendable {
        var name: String
        var values: [String]
    }

    /// The metrics made so far, by key.
    private struct State: Sendable {
        var counters: [Key: Counter] = [:]
        var histograms: [Key: DurationHistogram] = [:]
        var gauges: [String: Gauge] = [:]
    }

    func counter(_ name: String, _ labels: [(String, String)]) -> Counter {
        let key = Key(name: name, values: labels.map(\.1))
        return state.withLock { state in
            if let existing = state.counters[key] { return existing }
            let made = registry.makeCounter(name: name, labels: labels)
            state.counters[key] = made
            return made
        }
    }

    func histogram(_ name: String, help: String, _ labels: [(String, String)]) -> DurationHistogram {
        let key = Key(name: name, values: labels.map(\.1))
        return state.withLock { state in
            if let existing = state.histograms[key] { return existing }
            let descriptor = MetricNameDescriptor(metricName: name, unitName: "seconds", helpText: help)
            let made = registry.makeDurationHistogram(descriptor: descriptor, labels: labels, buckets: Self.requestBuckets)
            state.histograms[key] = made
            return made
        }
    }

    /// Counts one HTTP request.
    func request(method: String, route: String, status: Int, duration: Duration) {
        counter("gavel_http_requests_total", [("method", method), ("route", route), ("status", String(status))]).increment()
        histogram("gavel_http_request_duration", help: "HTTP request latency", [("route", route)]).record(duration)
    }

    /// Records a finished lead.
    public func leadFinished(status: LeadStatus, elapsedMicros: Int64) {
        counter("gavel_leads_total", [("status", status.rawValue)]).increment()
        histogram("gavel_lead_exchange_time", help: "The exchange's time per lead", []).record(.microseconds(elapsedMicros))
    }

    /// Records a ping answer.
    public func pinged(campaignID: String, answer: PingAnswer) {
        counter("gavel_pings_total", [("answer", answer.kind.rawValue)]).increment()
        if answer.kind == .timeout {
            counter("gavel_ping_timeouts_total", [("campaign", campaignID)]).increment()
        }
    }

    /// Records an eligibility skip.
    public func skipped(campaignID: String, reason: SkipReason) {
        counter("gavel_skips_total", [("reason", reason.rawValue)]).increment()
    }

    /// Sets the gauges of circuit breaker states.
    func circuits(_ states: [String: CircuitState]) {
        for state in [CircuitState.open, .halfOpen] {
            let gauge = self.state.withLock { metrics in
                if let existing = metrics.gauges[state.rawValue] { return existing }
                let made = registry.makeGauge(name: "gavel_circuits", labels: [("state", state.rawValue)])
                metrics.gauges[state.rawValue] = made
                return made
            }
            gauge.set(Int64(states.values.filter { $0 == state }.count))
        }
    }

    /// Counts a circuit breaker opening.
    public func circuitTripped(campaignID: String) {
        counter("gavel_circuit_trips_total", [("campaign", campaignID)]).increment()
    }

    /// Records a post outcome.
    public func posted(campaignID: String, outcome: PostAnswer.Outcome) {
        counter("gavel_posts_total", [("outcome", outcome.rawValue)]).increment()
    }
}

/// Counts every request and its latency by route pattern (never by raw path, so ids do not
/// explode the label space).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        metrics.request(
            method: request.method.rawValue, route: route, status: Int(response.status.code), duration: start.duration(to: .now))
        return response
    }
}
