import GavelCore

/// Watches every finished buyer call of an ``HTTPBuyerGateway``: the place for a per-campaign
/// circuit breaker (which would also conform to the core's `CircuitBoard`) and for metrics.
///
/// Called on the calling task right after the answer is known, so implementations must be
/// quick and never block; they never see a lead's fields.
public protocol BuyerCallObserver: Sendable {
    /// A ping finished; `answer.isFault` says whether the buyer misbehaved.
    func pingFinished(campaignID: String, answer: PingAnswer)
    /// A post finished; `failure` is set when there was no verdict from the buyer (timeout,
    /// bad status, malformed, …), as opposed to a buyer's own rejection.
    func postFinished(campaignID: String, answer: PostAnswer, failure: PostFailure?)
}
