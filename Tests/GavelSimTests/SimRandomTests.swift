import GavelSim
import Testing

@Suite("Seeded random numbers")
struct SimRandomTests {
    @Test func sameSeedSameSequence() {
        var a = SimRandom(seed: 7)
        var b = SimRandom(seed: 7)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    }

    @Test func differentSeedsDiffer() {
        var a = SimRandom(seed: 7)
        var b = SimRandom(seed: 8)
        #expect((0..<10).map { _ in a.next() } != (0..<10).map { _ in b.next() })
    }

    @Test func mixedSeedsAreOrderSensitive() {
        var a = SimRandom(seeds: 1, 2)
        var b = SimRandom(seeds: 2, 1)
        #expect(a.next() != b.next())
    }

    @Test func uniformStaysInRangeWithMeanAHalf() {
        var random = SimRandom(seed: 1)
        let draws = (0..<100_000).map { _ in random.uniform() }
        #expect(draws.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(mean(draws) - 0.5) < 0.01)
    }

    @Test func normalHasMeanZeroAndDeviationOne() {
        var random = SimRandom(seed: 2)
        let draws = (0..<100_000).map { _ in random.normal() }
        let m = mean(draws)
        let deviation = (draws.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(draws.count)).squareRoot()
        #expect(abs(m) < 0.02)
        #expect(abs(deviation - 1) < 0.02)
    }

    @Test func lognormalHasItsMedianAndMean() {
        var random = SimRandom(seed: 3)
        let draws = (0..<100_000).map { _ in random.lognormal(median: 10, sigma: 0.5) }.sorted()
        #expect(abs(draws[draws.count / 2] - 10) < 0.2)
        // The mean of a lognormal is median × e^(σ²/2) = 10 × 1.1331.
        #expect(abs(mean(draws) - 11.331) < 0.2)
    }

    @Test func weightedIndexFollowsWeights() {
        var random = SimRandom(seed: 4)
        var counts = [0, 0, 0]
        for _ in 0..<60_000 { counts[random.weightedIndex([1, 2, 3])] += 1 }
        #expect(abs(Double(counts[0]) / 60_000 - 1.0 / 6) < 0.01)
        #expect(abs(Double(counts[2]) / 60_000 - 0.5) < 0.01)
    }

    @Test func stableHashIsStable() {
        #expect(StableHash.of("gavel") == StableHash.of("gavel"))
        #expect(StableHash.of("gavel") != StableHash.of("Gavel"))
    }
}

func mean(_ values: [Double]) -> Double {
    values.reduce(0, +) / Double(values.count)
}
