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
