import Testing

@testable import GavelCore

let newYork = "America/New_York"

@Suite("Civil dates")
struct CivilDateTests {
    @Test(arguments: [
        (1970, 1, 1, 0), (1969, 12, 31, -1), (2000, 3, 1, 11_017), (2024, 2, 29, 19_782), (1900, 1, 1, -25_567),
        (2026, 3, 8, 20_520), (2026, 11, 1, 20_758), (1600, 1, 1, -135_140), (2400, 12, 31, 157_419), (1, 1, 1, -719_162),
        (9999, 12, 31, 2_932_896),
    ])
    func knownDaysSinceEpoch(_ year: Int, _ month: Int, _ day: Int, _ days: Int) {
        let date = CivilDate(year: year, month: month, day: day)
        #expect(date.daysSinceEpoch == days)
        #expect(CivilDate(daysSinceEpoch: days) == date)
    }

    @Test func everyDayFollowsTheCalendarOverEightCenturies() {
        // Walk 1600-01-01 … 2400-12-31 day by day: each day is the calendar's next day.
        var previous = CivilDate(daysSinceEpoch: -135_140)
        #expect(previous == CivilDate(year: 1600, month: 1, day: 1))
        for days in -135_139...157_419 {
            let date = CivilDate(daysSinceEpoch: days)
            let expected: CivilDate
            if previous.day < CivilDate.daysIn(month: previous.month, year: previous.year) {
                expected = CivilDate(year: previous.year, month: previous.month, day: previous.day + 1)
            } else if previous.month < 12 {
                expected = CivilDate(year: previous.year, month: previous.month + 1, day: 1)
            } else {
                expected = CivilDate(year: previous.year + 1, month: 1, day: 1)
            }
            if date != expected || date.daysSinceEpoch != days {
                Issue.record("day \(days): \(date), expected \(expected)")
                return
            }
            #expect(previous < date)
            previous = date
        }
        #expect(previous == CivilDate(year: 2400, month: 12, day: 31))
    }

    @Test func roundTripsFarFromTheEpoch() {
        for days in stride(from: -3_000_000, through: 3_000_000, by: 9_973) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }

    @Test(arguments: [
        (1970, 1, 1, 3), (2000, 1, 1, 5), (2026, 3, 8, 6), (2026, 3, 9, 0), (1969, 12, 29, 0), (1969, 12, 31, 2),
        (2024, 2, 29, 3), (1900, 1, 1, 0), (2026, 11, 29, 6), (1600, 1, 1, 5),
    ])
    func weekdayIsZeroOnMonday(_ year: Int, _ month: Int, _ day: Int, _ weekday: Int) {
        #expect(CivilDate(year: year, month: month, day: day).weekday == weekday)
    }

    @Test func startOfWeekIsMonday() {
        #expect(CivilDate(year: 2026, month: 3, day: 8).startOfWeek == CivilDate(year: 2026, month: 3, day: 2))  // Sunday
        #expect(CivilDate(year: 2026, month: 3, day: 9).startOfWeek == CivilDate(year: 2026, month: 3, day: 9))  // Monday
        #expect(CivilDate(year: 2027, month: 1, day: 1).startOfWeek == CivilDate(year: 2026, month: 12, day: 28))
        #expect(CivilDate(year: 1970, month: 1, day: 1).startOfWeek == CivilDate(year: 1969, month: 12, day: 29))
    }

    @Test(arguments: [
        (2, 2024, 29), (2, 2023, 28), (2, 1900, 28), (2, 2000, 29), (2, 2100, 28), (4, 2023, 30), (6, 2023, 30),
        (9, 2023, 30), (11, 2023, 30), (1, 2023, 31), (12, 2023, 31), (7, 2023, 31), (8, 2023, 31),
    ])
    func daysInMonth(_ month: Int, _ year: Int, _ days: Int) {
        #expect(CivilDate.daysIn(month: month, year: year) == days)
    }

    @Test func descriptionAndOrder() {
        #expect(CivilDate(year: 2026, month: 3, day: 7).description == "2026-03-07")
        #expect(CivilDate(year: 5, month: 3, day: 7).description == "0005-03-07")
        #expect(CivilDate(year: 2026, month: 1, day: 31) < CivilDate(year: 2026, month: 2, day: 1))
        #expect(CivilDate(year: 2025, month: 12, day: 31) < CivilDate(year: 2026, month: 1, day: 1))
    }

    @Test func localTimeFromEpochSecondsAndOffset() {
        let beforeEpoch = LocalTime(epochSeconds: -1, offsetSeconds: 0)
        #expect(beforeEpoch.date == CivilDate(year: 1969, month: 12, day: 31))
        #expect(beforeEpoch.minuteOfDay == 1_439)
        let eastern = LocalTime(epochSeconds: utc(2026, 1, 16, 4, 59).seconds, offsetSeconds: -5 * 3_600)
        #expect(eastern == LocalTime(date: CivilDate(year: 2026, month: 1, day: 15), minuteOfDay: 23 * 60 + 59))
        let tokyo = LocalTime(epochSeconds: utc(2026, 1, 15, 15, 30).seconds, offsetSeconds: 9 * 3_600)
        #expect(tokyo == LocalTime(date: CivilDate(year: 2026, month: 1, day: 16), minuteOfDay: 30))
    }
}

@Suite("Timestamps")
struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (1_795_946_400_123, "2026-11-29T10:00:00.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (-2_208_988_800_000, "1900-01-01T00:00:00.000Z"),
        (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
    ])
    func formatsRFC3339InUTCWithMilliseconds(_ milliseconds: Int64, _ text: String) {
        let time = Timestamp(milliseconds: milliseconds)
        #expect(time.rfc3339 == text)
        #expect(time.description == text)
        #expect(time.json == .string(text))
        #expect(Timestamp(rfc3339: text) == time)
    }

    @Test(arguments: [
        ("2026-11-29T10:00:00Z", Int64(1_795_946_400_000)),
        ("2026-11-29T10:00:00.123Z", 1_795_946_400_123),
        ("2026-11-29T10:00:00.5Z", 1_795_946_400_500),
        ("2026-11-29T10:00:00.12Z", 1_795_946_400_120),
        ("2026-11-29T10:00:00.123456Z", 1_795_946_400_123),  // beyond milliseconds: truncated
        ("2026-11-29T10:00:00.999999999Z", 1_795_946_400_999),
        ("2026-11-29T05:00:00-05:00", 1_795_946_400_000),
        ("2026-11-29T11:30:00+01:30", 1_795_946_400_000),
        ("2026-11-30T00:00:00+14:00", 1_795_946_400_000),
        ("2026-11-29T10:00:00.250+00:00", 1_795_946_400_250),
        ("2026-11-29t10:00:00z", 1_795_946_400_000),
        ("2026-11-29 10:00:00Z", 1_795_946_400_000),
        ("2026-11-29", 1_795_910_400_000),
        ("1969-12-31T23:59:59Z", -1_000),
    ])
    func parsesRFC3339(_ text: String, _ milliseconds: Int64) {
        #expect(Timestamp(rfc3339: text) == Timestamp(milliseconds: milliseconds))
    }

    @Test(arguments: [
        "2026-11-29T10:00Z", "2026-11-29T24:00:00Z", "2026-11-29T10:60:00Z", "2026-11-29T10:00:61Z", "2026-02-30T00:00:00Z",
        "2026-11-29T10:00:00", "2026-11-29T10:00:00+0500", "2026-11-29T10:00:00+05", "2026-11-29T10:00:00.Z",
        "2026-11-29T10:00:00ZZ", "2026-11-29T10:00:00+24:00", "garbage", "", "2026-11-29T", "2026-11-29T10", "2026-1-29",
        "2026-11-29X10:00:00Z", "26-11-29", "2026-11-29T10:00:00 Z",
    ])
    func rejectsMalformedTimestamps(_ text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func arithmetic() {
        let time = utc(2026, 3, 9, 12)
        #expect(time.adding(milliseconds: 1_500).milliseconds == time.milliseconds + 1_500)
        #expect(time.minus(days: 30) == utc(2026, 2, 7, 12))
        #expect(time.utcDate == CivilDate(year: 2026, month: 3, day: 9))
        #expect(Timestamp(milliseconds: -1).seconds == -1)
        #expect(Timestamp(milliseconds: -1_000).seconds == -1)
        #expect(Timestamp(milliseconds: -1_001).seconds == -2)
        #expect(Timestamp(milliseconds: 1_999).seconds == 1)
        #expect(Timestamp(seconds: 2).milliseconds == 2_000)
        #expect(utc(2026, 1, 1) < utc(2026, 1, 1, 0, 0, 1))
    }

    @Test func manualClockMovesOnlyWhenTold() {
        let clock = ManualWallClock(utc(2026, 3, 9, 9))
        #expect(clock.now() == utc(2026, 3, 9, 9))
        #expect(clock.now() == utc(2026, 3, 9, 9))
        clock.advance(milliseconds: 90 * 60_000)
        #expect(clock.now() == utc(2026, 3, 9, 10, 30))
        clock.set(utc(2027, 1, 1))
        #expect(clock.now() == utc(2027, 1, 1))
    }
}

@Suite("Time zones")
struct ZoneTests {
    @Test func knowsIANANames() {
        #expect(ZoneConverter.isValid(newYork))
        #expect(ZoneConverter.isValid("UTC"))
        #expect(ZoneConverter.isValid("Europe/Berlin"))
        #expect(!ZoneConverter.isValid("Mars/Olympus_Mons"))
        #expect(!ZoneConverter.isValid("Eastern"))
    }

    @Test(arguments: [
        // Fall back, 2026-11-01: 01:00–02:00 EDT happens, then 01:00–02:00 EST again.
        (utc(2026, 11, 1, 3, 59), CivilDate(year: 2026, month: 10, day: 31), 23 * 60 + 59, -4),
        (utc(2026, 11, 1, 4, 30), CivilDate(year: 2026, month: 11, day: 1), 30, -4),
        (utc(2026, 11, 1, 5, 30), CivilDate(year: 2026, month: 11, day: 1), 90, -4),
        (utc(2026, 11, 1, 6, 30), CivilDate(year: 2026, month: 11, day: 1), 90, -5),
        (utc(2026, 11, 2, 4, 59), CivilDate(year: 2026, month: 11, day: 1), 23 * 60 + 59, -5),
        (utc(2026, 11, 2, 5, 0), CivilDate(year: 2026, month: 11, day: 2), 0, -5),
        // Spring forward, 2026-03-08: 02:00–03:00 EST never happens.
        (utc(2026, 3, 8, 4, 30), CivilDate(year: 2026, month: 3, day: 7), 23 * 60 + 30, -5),
        (utc(2026, 3, 8, 5, 0), CivilDate(year: 2026, month: 3, day: 8), 0, -5),
        (utc(2026, 3, 8, 6, 59), CivilDate(year: 2026, month: 3, day: 8), 60 + 59, -5),
        (utc(2026, 3, 8, 7, 0), CivilDate(year: 2026, month: 3, day: 8), 3 * 60, -4),
        (utc(2026, 3, 9, 3, 59), CivilDate(year: 2026, month: 3, day: 8), 23 * 60 + 59, -4),
        (utc(2026, 3, 9, 4, 0), CivilDate(year: 2026, month: 3, day: 9), 0, -4),
    ])
    func newYorkLocalTimeAcrossDSTChanges(_ time: Timestamp, _ date: CivilDate, _ minute: Int, _ offsetHours: Int) {
        let converter = ZoneConverter()
        #expect(converter.offset(epochSeconds: time.seconds, zone: newYork) == offsetHours * 3_600)
        #expect(converter.localTime(epochSeconds: time.seconds, zone: newYork) == LocalTime(date: date, minuteOfDay: minute))
    }

    @Test func cachedOffsetsAgreeWithFreshLookupsAcrossTransitions() {
        // One converter asked minute by minute around both 2026 changes (and backwards) must
        // answer like a fresh converter every time: the cache never spans a transition.
        let shared = ZoneConverter()
        let windows = [utc(2026, 3, 8, 5), utc(2026, 11, 1, 4)]
        for start in windows {
            let minutes = Array(stride(from: Int64(0), to: 4 * 60, by: 7))
            for minute in minutes + minutes.reversed() {
                let seconds = start.seconds + minute * 60
                let fresh = ZoneConverter().offset(epochSeconds: seconds, zone: newYork)
                #expect(shared.offset(epochSeconds: seconds, zone: newYork) == fresh, "at \(Timestamp(seconds: seconds))")
            }
        }
    }

    @Test func unknownZoneFallsBackToUTC() {
        let time = utc(2026, 1, 16, 4, 59)
        #expect(
            ZoneConverter().localTime(epochSeconds: time.seconds, zone: "Nowhere/Town")
                == LocalTime(date: CivilDate(year: 2026, month: 1, day: 16), minuteOfDay: 4 * 60 + 59))
    }
}

@Suite("Cap periods")
struct CapPeriodTests {
    let eastern = Campaign.Caps(timezone: newYork, dailyLeads: 1)

    @Test func saleJustBeforeAndAfterLocalMidnightFallInDifferentDays() {
        let converter = ZoneConverter()
        let lateEvening = eastern.periods(at: utc(2026, 1, 16, 4, 59), converter: converter)  // 23:59 EST on the 15th
        let earlyMorning = eastern.periods(at: utc(2026, 1, 16, 5, 1), converter: converter)  // 00:01 EST on the 16th
        #expect(lateEvening.day == CivilDate(year: 2026, month: 1, day: 15))
        #expect(earlyMorning.day == CivilDate(year: 2026, month: 1, day: 16))
        #expect(lateEvening.dayKey == "d:2026-01-15")
        #expect(earlyMorning.dayKey == "d:2026-01-16")
        // In UTC both are the 16th: the zone decides.
        let utcCaps = Campaign.Caps(timezone: "UTC")
        #expect(utcCaps.periods(at: utc(2026, 1, 16, 4, 59), converter: converter).day == CivilDate(year: 2026, month: 1, day: 16))
    }

    @Test func summerLocalMidnightIsFourHoursBehindUTC() {
        let converter = ZoneConverter()
        #expect(eastern.periods(at: utc(2026, 7, 1, 3, 59), converter: converter).dayKey == "d:2026-06-30")
        #expect(eastern.periods(at: utc(2026, 7, 1, 4, 1), converter: converter).dayKey == "d:2026-07-01")
        #expect(eastern.periods(at: utc(2026, 7, 1, 4, 1), converter: converter).monthKey == "m:2026-07")
    }

    @Test func localDaysAreRightAcrossDSTChanges() {
        let converter = ZoneConverter()
        // The long day of 2026-11-01 (25 hours) in New York: 04:00Z to 05:00Z the next day.
        #expect(eastern.periods(at: utc(2026, 11, 1, 3, 59), converter: converter).dayKey == "d:2026-10-31")
        #expect(eastern.periods(at: utc(2026, 11, 1, 4, 0), converter: converter).dayKey == "d:2026-11-01")
        #expect(eastern.periods(at: utc(2026, 11, 2, 4, 59), converter: converter).dayKey == "d:2026-11-01")
        #expect(eastern.periods(at: utc(2026, 11, 2, 5, 0), converter: converter).dayKey == "d:2026-11-02")
        // The short day of 2026-03-08 (23 hours): 05:00Z to 04:00Z the next day.
        #expect(eastern.periods(at: utc(2026, 3, 8, 4, 59), converter: converter).dayKey == "d:2026-03-07")
        #expect(eastern.periods(at: utc(2026, 3, 8, 5, 0), converter: converter).dayKey == "d:2026-03-08")
        #expect(eastern.periods(at: utc(2026, 3, 9, 3, 59), converter: converter).dayKey == "d:2026-03-08")
        #expect(eastern.periods(at: utc(2026, 3, 9, 4, 0), converter: converter).dayKey == "d:2026-03-09")
    }

    @Test func weekStartsOnMondayInTheCapsZone() {
        let converter = ZoneConverter()
        // Sunday 2026-03-08 23:30 EDT is Monday 03:30 UTC.
        let sundayNight = utc(2026, 3, 9, 3, 30)
        #expect(eastern.periods(at: sundayNight, converter: converter).week == CivilDate(year: 2026, month: 3, day: 2))
        #expect(eastern.periods(at: sundayNight, converter: converter).weekKey == "w:2026-03-02")
        #expect(Campaign.Caps(timezone: "UTC").periods(at: sundayNight, converter: converter).weekKey == "w:2026-03-09")
        // Monday 00:00 local starts the next week.
        #expect(eastern.periods(at: utc(2026, 3, 9, 4, 0), converter: converter).weekKey == "w:2026-03-09")
    }

    @Test func monthAndYearRollOverAtLocalMidnight() {
        let converter = ZoneConverter()
        let endOfJanuary = eastern.periods(at: utc(2026, 2, 1, 4, 30), converter: converter)  // Jan 31 23:30 EST
        let startOfFebruary = eastern.periods(at: utc(2026, 2, 1, 5, 30), converter: converter)
        #expect(endOfJanuary.monthKey == "m:2026-01")
        #expect(startOfFebruary.monthKey == "m:2026-02")
        #expect(startOfFebruary.month == CivilDate(year: 2026, month: 2, day: 1))

        let newYearsEve = eastern.periods(at: utc(2027, 1, 1, 4, 59), converter: converter)
        #expect(newYearsEve.dayKey == "d:2026-12-31")
        #expect(newYearsEve.monthKey == "m:2026-12")
        #expect(newYearsEve.weekKey == "w:2026-12-28")
        let newYear = eastern.periods(at: utc(2027, 1, 1, 5, 0), converter: converter)
        #expect(newYear.dayKey == "d:2027-01-01")
        #expect(newYear.monthKey == "m:2027-01")
        #expect(newYear.weekKey == "w:2026-12-28")  // the week spans the new year
    }

    @Test func periodsOfADate() {
        let periods = CapPeriods(date: CivilDate(year: 2024, month: 2, day: 29))
        #expect(periods.dayKey == "d:2024-02-29")
        #expect(periods.weekKey == "w:2024-02-26")
        #expect(periods.monthKey == "m:2024-02")
    }
}

@Suite("Caps")
struct CapsTests {
    enum Kind: String, CaseIterable, Sendable {
        case dailyLeads, weeklyLeads, monthlyLeads, dailySpend, monthlySpend
    }

    /// Caps with only one kind set: 3 leads, or $10 of spend.
    static func caps(_ kind: Kind) -> Campaign.Caps {
        switch kind {
        case .dailyLeads: Campaign.Caps(dailyLeads: 3)
        case .weeklyLeads: Campaign.Caps(weeklyLeads: 3)
        case .monthlyLeads: Campaign.Caps(monthlyLeads: 3)
        case .dailySpend: Campaign.Caps(dailySpend: cents(1000))
        case .monthlySpend: Campaign.Caps(monthlySpend: cents(1000))
        }
    }

    /// Usage with only the counter of `kind` set.
    static func usage(_ kind: Kind, leads: Int = 0, spend: Int64 = 0) -> CapUsage {
        switch kind {
        case .dailyLeads: CapUsage(dayLeads: leads)
        case .weeklyLeads: CapUsage(weekLeads: leads)
        case .monthlyLeads: CapUsage(monthLeads: leads)
        case .dailySpend: CapUsage(daySpend: cents(spend))
        case .monthlySpend: CapUsage(monthSpend: cents(spend))
        }
    }

    @Test(arguments: [Kind.dailyLeads, .weeklyLeads, .monthlyLeads])
    func leadCaps(_ kind: Kind) {
        let caps = Self.caps(kind)
        #expect(!caps.isEmpty)
        #expect(!caps.isExhausted(Self.usage(kind, leads: 2)))
        #expect(caps.admits(Self.usage(kind, leads: 2), price: cents(1_000_000)))
        #expect(caps.isExhausted(Self.usage(kind, leads: 3)))
        #expect(!caps.admits(Self.usage(kind, leads: 3), price: cents(1)))
        #expect(caps.isExhausted(Self.usage(kind, leads: 4)))
        // Only its own counter matters.
        for other in Kind.allCases where other != kind {
            #expect(!caps.isExhausted(Self.usage(other, leads: 100, spend: 1_000_000)))
        }
    }

    @Test(arguments: [Kind.dailySpend, .monthlySpend])
    func spendCaps(_ kind: Kind) {
        let caps = Self.caps(kind)
        #expect(!caps.isExhausted(Self.usage(kind, spend: 900)))
        #expect(caps.admits(Self.usage(kind, spend: 900), price: cents(100)))  // exactly reaches the cap
        #expect(!caps.admits(Self.usage(kind, spend: 900), price: cents(101)))
        #expect(caps.isExhausted(Self.usage(kind, spend: 1000)))
        #expect(!caps.admits(Self.usage(kind, spend: 1000), price: cents(1)))
        #expect(caps.isExhausted(Self.usage(kind, spend: 1001)))
        for other in Kind.allCases where other != kind {
            #expect(!caps.isExhausted(Self.usage(other, leads: 100, spend: 1_000_000)))
        }
    }

    @Test func noCapsNeverBind() {
        let caps = Campaign.Caps()
        #expect(caps.isEmpty)
        let heavy = CapUsage(
            dayLeads: 1_000_000, weekLeads: 1_000_000, monthLeads: 1_000_000, daySpend: cents(1 << 40), monthSpend: cents(1 << 40))
        #expect(!caps.isExhausted(heavy))
        #expect(caps.admits(heavy, price: cents(1 << 40)))
    }

    @Test func aZeroCapIsAlwaysExhausted() {
        #expect(Campaign.Caps(dailyLeads: 0).isExhausted(.zero))
        #expect(!Campaign.Caps(dailyLeads: 0).admits(.zero, price: cents(1)))
        #expect(Campaign.Caps(dailySpend: .zero).isExhausted(.zero))
    }

    @Test func everyCapMustAdmit() {
        let caps = Campaign.Caps(dailyLeads: 10, weeklyLeads: 20, monthlyLeads: 5, dailySpend: cents(6000), monthlySpend: cents(9000))
        let usage = CapUsage(dayLeads: 4, weekLeads: 4, monthLeads: 4, daySpend: cents(4000), monthSpend: cents(8000))
        #expect(caps.admits(usage, price: cents(1000)))
        #expect(!caps.admits(usage, price: cents(1001)))  // monthly spend would pass 90
        #expect(!caps.admits(CapUsage(dayLeads: 4, weekLeads: 4, monthLeads: 5), price: cents(1)))  // monthly leads
    }

    @Test func addingCountsOneLeadAndItsPrice() {
        let after = CapUsage(dayLeads: 1, weekLeads: 2, monthLeads: 3, daySpend: cents(100), monthSpend: cents(200)).adding(
            price: cents(50))
        #expect(after == CapUsage(dayLeads: 2, weekLeads: 3, monthLeads: 4, daySpend: cents(150), monthSpend: cents(250)))
        #expect(CapUsage.zero == CapUsage())
    }
}

@Suite("Schedules")
struct ScheduleTests {
    /// Local time on a weekday of the week of Monday 2026-03-09 (0 = Monday … 6 = Sunday).
    static func at(_ weekday: Int, _ hour: Int, _ minute: Int = 0) -> LocalTime {
        LocalTime(date: CivilDate(year: 2026, month: 3, day: 9 + weekday), minuteOfDay: hour * 60 + minute)
    }

    static func range(_ start: String, _ end: String) -> Schedule.Range {
        Schedule.Range(start: Schedule.minute(start)!, end: Schedule.minute(end) == 0 ? 1_440 : Schedule.minute(end)!)
    }

    @Test func theWeekUsedHereStartsOnMonday() {
        #expect((0...6).allSatisfy { Self.at($0, 0).date.weekday == $0 })
    }

    @Test(arguments: [
        (0, 8, 59, false), (0, 9, 0, true), (0, 12, 30, true), (0, 16, 59, true), (0, 17, 0, false), (0, 23, 59, false),
        (1, 10, 0, false),  // Tuesday has no hours: closed
        (6, 10, 0, false),
    ])
    func normalRange(_ weekday: Int, _ hour: Int, _ minute: Int, _ open: Bool) {
        let schedule = Schedule(timezone: "UTC", hours: [0: [Self.range("09:00", "17:00")], 1: []])
        #expect(schedule.isOpen(at: Self.at(weekday, hour, minute)) == open)
    }

    @Test(arguments: [
        (0, 21, 59, false), (0, 22, 0, true), (0, 23, 59, true), (1, 0, 0, true), (1, 1, 0, true), (1, 1, 59, true),
        (1, 2, 0, false), (1, 3, 0, false), (1, 22, 30, false), (2, 1, 0, false), (0, 1, 0, false),
    ])
    func rangeCrossingMidnight(_ weekday: Int, _ hour: Int, _ minute: Int, _ open: Bool) {
        let schedule = Schedule(timezone: "UTC", hours: [0: [Self.range("22:00", "02:00")]])
        #expect(schedule.isOpen(at: Self.at(weekday, hour, minute)) == open)
    }

    @Test func sundayNightRunsIntoMonday() {
        let schedule = Schedule(timezone: "UTC", hours: [6: [Self.range("23:00", "01:00")]])
        #expect(schedule.isOpen(at: Self.at(6, 23, 30)))
        #expect(schedule.isOpen(at: Self.at(0, 0, 30)))
        #expect(!schedule.isOpen(at: Self.at(0, 1, 0)))
        #expect(!schedule.isOpen(at: Self.at(5, 23, 30)))
    }

    @Test func endingAtMidnight() {
        let twentyFour = Schedule(timezone: "UTC", hours: [4: [Self.range("18:00", "24:00")]])
        let zero = Schedule(timezone: "UTC", hours: [4: [Self.range("18:00", "00:00")]])
        for schedule in [twentyFour, zero] {
            #expect(schedule.hours[4]?.first?.end == 1_440)
            #expect(!schedule.isOpen(at: Self.at(4, 17, 59)))
            #expect(schedule.isOpen(at: Self.at(4, 18, 0)))
            #expect(schedule.isOpen(at: Self.at(4, 23, 59)))
            #expect(!schedule.isOpen(at: Self.at(5, 0, 0)))
        }
    }

    @Test func allDayAndSplitDays() {
        let schedule = Schedule(
            timezone: "UTC", hours: [2: [Self.range("00:00", "24:00")], 3: [Self.range("09:00", "12:00"), Self.range("13:00", "17:00")]])
        #expect(schedule.isOpen(at: Self.at(2, 0, 0)))
        #expect(schedule.isOpen(at: Self.at(2, 23, 59)))
        #expect(!schedule.isOpen(at: Self.at(3, 0, 0)))  // Wednesday's all-day does not spill over
        #expect(schedule.isOpen(at: Self.at(3, 11, 59)))
        #expect(!schedule.isOpen(at: Self.at(3, 12, 30)))
        #expect(schedule.isOpen(at: Self.at(3, 13, 0)))
        #expect(!schedule.isOpen(at: Self.at(3, 17, 0)))
    }

    @Test func emptyScheduleIsAlwaysClosed() {
        let schedule = Schedule(timezone: "UTC", hours: [:])
        #expect((0...6).allSatisfy { !schedule.isOpen(at: Self.at($0, 12)) })
    }

    @Test(arguments: [("00:00", 0), ("09:30", 570), ("23:59", 1_439), ("24:00", 1_440)])
    func clockText(_ text: String, _ minute: Int) {
        #expect(Schedule.minute(text) == minute)
        #expect(Schedule.clock(minute) == text)
    }
}
