/// Sends one test lead through a campaign's real ping and post (mapped or native) and keeps
/// what went over the wire: the operator's and the buyer's way to see that an integration
/// works before money flows. Nothing is stored, held or charged; the lead is marked a test.
public struct TestConsole: Sendable {
    /// One call and what came of it.
    public struct Step<Answer: Sendable & Hashable>: Sendable, Hashable {
        /// How the answer was read.
        public var answer: Answer
        /// What went over the wire, when the gateway can tell.
        public var trace: CallTrace?
    }

    /// The result of a test.
    public struct Run: Sendable, Hashable {
        /// The lead's fields as sent in the post (the ping had only the non-personal ones).
        public var fields: [String: JSONValue]
        /// The ping, for remote campaigns.
        public var ping: Step<PingAnswer>?
        /// The post, when one was made.
        public var post: Step<PostAnswer>?
        /// The price the post offered.
        public var price: Money?
        /// Why a step did not happen, if one did not.
        public var note: String?
    }

    let gateway: any BuyerGateway

    /// Creates a console over the exchange's gateway.
    public init(gateway: any BuyerGateway) {
        self.gateway = gateway
    }

    /// Runs the test: the ping (remote campaigns), then — when the ping bid, or for hosted and
    /// direct campaigns — the post at the price the auction would offer.
    public func run(
        campaign: Campaign, vertical: Vertical, fields: [String: JSONValue], settings: Settings, pingID: String, leadID: String,
        post wanted: Bool
    ) async -> Run {
        let pingFields = vertical.nonPersonal(fields)
        var run = Run(fields: fields)
        var offer = Offer(
            campaignID: campaign.id, buyerID: campaign.buyerID, price: campaign.hostedPrice(for: pingFields) ?? .zero, origin: .auction)
        if campaign.delivery.mode == .remote {
            let request = PingRequest(
                pingID: pingID, vertical: vertical.id, tmaxMS: campaign.timeoutMS(settings: settings), test: true,
                sellerAlias: "test-console", source: "test-console", fields: pingFields)
            let (answer, trace) = await Self.within(request.tmaxMS, late: PingAnswer(kind: .timeout, detail: "no answer by the deadline")) {
                await gateway.tracedPing(request, campaign: campaign)
            }
            run.ping = Step(answer: answer, trace: trace)
            guard answer.isBid, let bid = answer.bid else { return run.noting("the ping did not bid, so nothing was posted") }
            offer.price = campaign.effectiveBid(bid, seller: "")
            offer.bidID = answer.bidID
            offer.captures = answer.captures
        }
        guard wanted else { return run.noting("post: false, so nothing was posted") }
        guard offer.price > .zero else { return run.noting("the campaign's rules price this lead at nothing, so nothing was posted") }
        run.price = offer.price
        guard campaign.delivery.postsOverHTTP else { return run.noting("no post URL: a sale would wait in the buyer's inbox") }
        let request = PostRequest(
            pingID: pingID, bidID: offer.bidID, leadID: leadID, price: offer.price, vertical: vertical.id, test: true, fields: fields,
            consent: ["tcpa_text": "Test lead from the campaign test console"], captures: offer.captures, source: "test-console",
            sellerAlias: "test-console")
        let (answer, trace) = await Self.within(
            campaign.delivery.effectivePostTimeoutMS, late: PostAnswer(outcome: .rejected, reason: "timeout")
        ) {
            await gateway.tracedPost(request, campaign: campaign)
        }
        let policy = campaign.delivery.integration?.post?.lowerPrice ?? .accept
        run.post = Step(answer: answer.settled(offered: offer.price, policy: policy), trace: trace)
        return run
    }
}

extension TestConsole {
    /// A traced call bounded like the exchange bounds it: past the deadline it is cancelled and
    /// reads as `late`, with the trace of what was sent.
    static func within<Answer: Sendable>(
        _ milliseconds: Int, late: Answer, _ work: @escaping @Sendable () async -> (Answer, CallTrace?)
    ) async -> (Answer, CallTrace?) {
        let clock = ContinuousClock()
        return await Deadline.race(until: clock.now.advanced(by: .milliseconds(milliseconds)), clock: clock, work) { cancelled in
            (late, cancelled?.1)
        }
    }
}

extension TestConsole.Run {
    func noting(_ text: String) -> Self {
        var copy = self
        copy.note = text
        return copy
    }
}
