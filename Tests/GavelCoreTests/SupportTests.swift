import GavelCore
import Testing

@Suite("Duration in units")
struct DurationUnitsTests {
    @Test func wholeUnitsAreExact() {
        #expect(Duration.milliseconds(1_500).milliseconds == 1_500)
        #expect(Duration.microseconds(1_234_567).microseconds == 1_234_567)
        #expect(Duration.seconds(3).nanoseconds == 3_000_000_000)
        #expect(Duration.zero.milliseconds == 0)
    }

    @Test func wholeUnitsTruncateTowardZero() {
        let almost = Duration(secondsComponent: 2, attosecondsComponent: 999_999_999_999_999_999)
        #expect(almost.milliseconds == 2_999)
        #expect(almost.microseconds == 2_999_999)
        #expect(almost.nanoseconds == 2_999_999_999)
        #expect(Duration.nanoseconds(1_999).microseconds == 1)
        #expect(Duration.nanoseconds(-1_500_000_001).milliseconds == -1_500)
        #expect(Duration.nanoseconds(-1_999).microseconds == -1)
    }

    @Test func fractionalUnits() {
        #expect(Duration.milliseconds(1_500).seconds == 1.5)
        #expect(Duration.microseconds(2_500).fractionalMilliseconds == 2.5)
        #expect(Duration.milliseconds(-250).seconds == -0.25)
        #expect(Duration.nanoseconds(1).seconds == 1e-9)
    }
}

@Suite("Seeded random")
struct SeededRandomTests {
    @Test func matchesTheSplitMix64ReferenceSequence() {
        var random = SeededRandom(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func theSameSeedRepeatsAndTheStateAdvancesOneStepPerDraw() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        #expect(a.state == 42 &+ 100 &* 0x9E37_79B9_7F4A_7C15)
        var other = SeededRandom(seed: 43)
        var again = SeededRandom(seed: 42)
        #expect(other.next() != again.next())
    }
}

@Suite("Latency histogram text")
struct LatencyHistogramTextTests {
    @Test func bucketsAreWrittenInAscendingOrderAndReadBack() {
        let histogram = LatencyHistogram(counts: [280: 3, 0: 12, 41: 1, 115: 1_234_567, 9: 10])
        #expect(histogram.encoded == "0:12,9:10,41:1,115:1234567,280:3")
        #expect(LatencyHistogram(encoded: histogram.encoded) == histogram)
        #expect(LatencyHistogram().encoded == "")
    }

    @Test func denseCountsWriteTheSameTextAsTheDictionary() {
        var dense = [Int](repeating: 0, count: 281)
        for (bucket, count) in [(0, 12), (9, 10), (41, 1), (115, 1_234_567), (280, 3)] { dense[bucket] = count }
        let histogram = LatencyHistogram(counts: [280: 3, 0: 12, 41: 1, 115: 1_234_567, 9: 10])
        #expect(LatencyHistogram.encoded(dense: dense) == histogram.encoded)
        #expect(LatencyHistogram.encoded(dense: [Int](repeating: 0, count: 281)) == "")
        #expect(LatencyHistogram.encoded(dense: [7]) == "0:7")
    }
}
