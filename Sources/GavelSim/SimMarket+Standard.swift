import GavelCore

extension SimMarket {
    /// The default market of the demo and the benchmark: three sellers with six traffic
    /// sources of different quality; auto insurance, health insurance and solar; twelve
    /// campaigns of ten buyers — seven remote, four hosted, one direct — with state filters,
    /// a seller deny list, a daily cap and business hours.
    public static func standard(seed: UInt64 = 1) -> SimMarket {
        SimMarket(seed: seed, sellers: standardSellers, campaigns: autoCampaigns + healthCampaigns + solarCampaigns)
    }

    static var standardSellers: [SimSeller] {
        [
            SimSeller(
                id: "leadspring", name: "LeadSpring Media", alias: "s-spring", revenueShare: "0.85", weight: 0.45,
                verticals: [.init("auto_insurance", 0.6), .init("health_insurance", 0.25), .init("solar", 0.15)],
                sources: [SimSource("google-search", quality: 1.25, weight: 0.5), SimSource("fb-feed", quality: 0.9, weight: 0.5)]),
            SimSeller(
                id: "quotewise", name: "QuoteWise", alias: "s-quote", revenueShare: "0.88", weight: 0.3,
                verticals: [.init("auto_insurance", 0.5), .init("health_insurance", 0.5)],
                sources: [SimSource("seo-organic", quality: 1.3, weight: 0.6), SimSource("email-list", quality: 0.85, weight: 0.4)]),
            SimSeller(
                id: "clickfarm", name: "ClickFarm Networks", alias: "s-click", revenueShare: "0.8", weight: 0.25,
                verticals: [.init("auto_insurance", 0.7), .init("solar", 0.3)],
                sources: [SimSource("native-ads", quality: 0.75, weight: 0.6), SimSource("coreg", quality: 0.6, weight: 0.4)]),
        ]
    }

    /// A value rule: when `field` `op` `operand`, multiply by `factor`.
    static func lift(_ field: String, _ op: String, _ operand: JSONValue, _ factor: String) -> JSONValue {
        ["when": .object([field: .object([op: operand])]), "multiply": .number(Number(text: factor)!)]
    }

    static func states(_ codes: [String]) -> JSONValue { .array(codes.map(JSONValue.string)) }

    static var autoRules: [JSONValue] {
        [
            lift("state", "in", states(["CA", "NY", "NJ", "FL"]), "1.25"), lift("state", "in", states(["OH", "MI", "PA"]), "0.9"),
            lift("homeowner", "eq", true, "1.2"), lift("credit_rating", "eq", "excellent", "1.2"),
            lift("credit_rating", "eq", "poor", "0.7"), lift("accidents_3y", "gte", 1, "0.75"), lift("dui", "eq", true, "0.35"),
            lift("currently_insured", "eq", true, "1.15"), lift("age", "lt", 25, "0.8"),
        ]
    }

    static var healthRules: [JSONValue] {
        [
            lift("age", "gte", 50, "1.25"), lift("age", "gte", 65, "0.55"), lift("qualifying_life_event", "eq", true, "1.35"),
            lift("household_size", "gte", 3, "1.15"), lift("tobacco_use", "eq", true, "0.85"),
            lift("state", "in", states(["CA", "TX", "FL"]), "1.1"),
        ]
    }

    static var solarRules: [JSONValue] {
        [
            lift("monthly_electric_bill", "gte", 200, "1.4"), lift("monthly_electric_bill", "lt", 100, "0.6"),
            lift("roof_shade", "eq", "heavy", "0.4"), lift("roof_shade", "eq", "some", "0.85"),
            lift("credit_rating", "in", states(["excellent", "good"]), "1.15"), lift("credit_rating", "eq", "poor", "0.6"),
            lift("state", "in", states(["CA", "AZ", "TX", "FL", "NV"]), "1.3"),
            lift("property_type", "in", states(["mobile", "condo"]), "0.5"),
        ]
    }

    static func filter(_ field: String, _ op: String, _ operand: JSONValue) -> JSONValue {
        .object(["field": .string(field), op: operand])
    }

    static var autoCampaigns: [SimCampaign] {
        [
            SimCampaign(
                id: "apex-auto", buyerID: "apex", buyerName: "Apex Insurance", vertical: "auto_insurance", mode: .remote,
                baseValue: 14, valueRules: autoRules, noise: 0.45, shade: 0.85, latency: SimLatency(medianMS: 25),
                rejectRate: 0.05, faultRate: 0.01),
            SimCampaign(
                id: "bluecrest-auto-west", buyerID: "bluecrest", buyerName: "BlueCrest Mutual", vertical: "auto_insurance",
                mode: .remote, baseValue: 17, valueRules: autoRules + [lift("credit_rating", "eq", "excellent", "1.15")],
                filters: [filter("state", "in", states(["CA", "WA", "OR", "NV", "AZ", "CO"]))], noise: 0.5, shade: 0.8,
                latency: SimLatency(medianMS: 45, sigma: 0.5), rejectRate: 0.08),
            SimCampaign(
                id: "corvid-auto", buyerID: "corvid", buyerName: "Corvid Direct", vertical: "auto_insurance", mode: .remote,
                baseValue: 11, valueRules: autoRules, qualitySensitivity: 1.3, noise: 0.6, shade: 0.9,
                latency: SimLatency(medianMS: 15, sigma: 0.3), rejectRate: 0.03, faultRate: 0.03, denySellers: ["clickfarm"]),
            SimCampaign(
                id: "drover-auto", buyerID: "drover", buyerName: "Drover Agency Group", vertical: "auto_insurance", mode: .hosted,
                baseValue: 10.5, valueRules: autoRules, shade: 0.9, dailyCap: 3_000),
            SimCampaign(
                id: "ember-auto-east", buyerID: "ember", buyerName: "Ember Insurance", vertical: "auto_insurance", mode: .hosted,
                baseValue: 12, valueRules: autoRules + [lift("homeowner", "eq", true, "1.1")],
                filters: [filter("state", "in", states(["NY", "NJ", "PA", "MA", "FL", "GA", "NC"]))], shade: 0.85, businessHours: true),
            SimCampaign(
                id: "fallback-auto", buyerID: "fallback", buyerName: "Fallback Call Center", vertical: "auto_insurance",
                mode: .direct, baseValue: 3.5, directPrice: 3.5),
        ]
    }

    static var healthCampaigns: [SimCampaign] {
        [
            SimCampaign(
                id: "gull-health", buyerID: "gull", buyerName: "Gull Health Partners", vertical: "health_insurance", mode: .remote,
                baseValue: 24, valueRules: healthRules, noise: 0.5, shade: 0.85, latency: SimLatency(medianMS: 60, sigma: 0.5),
                rejectRate: 0.06),
            SimCampaign(
                id: "apex-health", buyerID: "apex", buyerName: "Apex Insurance", vertical: "health_insurance", mode: .remote,
                baseValue: 19, valueRules: healthRules, noise: 0.55, shade: 0.88, latency: SimLatency(medianMS: 30),
                rejectRate: 0.04, faultRate: 0.02),
            SimCampaign(
                id: "iris-health", buyerID: "iris", buyerName: "Iris Benefits", vertical: "health_insurance", mode: .hosted,
                baseValue: 16, valueRules: healthRules, filters: [filter("age", "gte", 26)], shade: 0.9),
        ]
    }

    static var solarCampaigns: [SimCampaign] {
        [
            SimCampaign(
                id: "jolt-solar", buyerID: "jolt", buyerName: "Jolt Solar", vertical: "solar", mode: .remote, baseValue: 38,
                valueRules: solarRules, filters: [filter("homeowner", "eq", true)], noise: 0.5, shade: 0.85,
                latency: SimLatency(medianMS: 80, sigma: 0.5), rejectRate: 0.1),
            SimCampaign(
                id: "kiln-solar", buyerID: "kiln", buyerName: "Kiln Energy", vertical: "solar", mode: .hosted, baseValue: 30,
                valueRules: solarRules, filters: [filter("homeowner", "eq", true)], shade: 0.9),
            SimCampaign(
                id: "sunbelt-solar", buyerID: "bluecrest", buyerName: "BlueCrest Mutual", vertical: "solar", mode: .remote,
                baseValue: 33, valueRules: solarRules,
                filters: [filter("homeowner", "eq", true), filter("state", "in", states(["CA", "AZ", "TX", "FL", "NV"]))],
                noise: 0.5, shade: 0.85, latency: SimLatency(medianMS: 35), rejectRate: 0.05, faultRate: 0.01),
        ]
    }
}
