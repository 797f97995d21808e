import Foundation

/// A calendar date without a time zone, with the integer arithmetic caps and schedules need
/// (days since the epoch, weekday, ISO week, month).
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year.
    public var year: Int
    /// The month, 1...12.
    public var month: Int
    /// The day of the month, 1...31.
    public var day: Int

    /// Creates a date.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The weekday, 0 = Monday … 6 = Sunday.
    public var weekday: Int {
        let days = daysSinceEpoch
        return ((days % 7) + 7 + 3) % 7  // 1970-01-01 was a Thursday.
    }

    /// The Monday that starts this date's week.
    public var startOfWeek: CivilDate {
        CivilDate(daysSinceEpoch: daysSinceEpoch - weekday)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Orders dates.
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The number of days in a month.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A local wall-clock reading in some time zone: the date and the minute of the day.
public struct LocalTime: Sendable, Hashable {
    /// The local date.
    public var date: CivilDate
    /// Minutes since local midnight, 0..<1440.
    public var minuteOfDay: Int

    /// Creates a local time.
    public init(date: CivilDate, minuteOfDay: Int) {
        self.date = date
        self.minuteOfDay = minuteOfDay
    }

    /// The local time of an instant (seconds since the epoch) at a given UTC offset.
    public init(epochSeconds: Int64, offsetSeconds: Int) {
        let local = epochSeconds + Int64(offsetSeconds)
        let days = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let seconds = Int(local - Int64(days) * 86_400)
        self.init(date: CivilDate(daysSinceEpoch: days), minuteOfDay: seconds / 60)
    }
}

/// Converts instants to local time in IANA time zones quickly: the UTC offset is cached per zone
/// until the zone's next transition, so only a DST change costs a Foundation time-zone lookup.
public final class ZoneConverter: Sendable {
    private struct Entry: Sendable {
        var offset: Int
        var validFrom: Int64
        var validUntil: Int64
    }

    /// The cached offsets and the zones looked up so far.
    private struct State: Sendable {
        var cache: [String: Entry] = [:]
        var zones: [String: TimeZone] = [:]

        /// The zone's UTC offset at an instant, from the cache while it is valid.
        mutating func offset(epochSeconds: Int64, zone identifier: String) -> Int {
            if let entry = cache[identifier], entry.validFrom <= epochSeconds, epochSeconds < entry.validUntil {
                return entry.offset
            }
            let entry = makeEntry(epochSeconds: epochSeconds, zone: identifier)
            cache[identifier] = entry
            return entry.offset
        }

        private mutating func makeEntry(epochSeconds: Int64, zone identifier: String) -> Entry {
            let zone = zones[identifier] ?? TimeZone(identifier: identifier) ?? TimeZone(identifier: "UTC")!
            zones[identifier] = zone
            let instant = Date(timeIntervalSince1970: TimeInterval(epochSeconds))
            let offset = zone.secondsFromGMT(for: instant)
            let next = zone.nextDaylightSavingTimeTransition(after: instant).map { Int64($0.timeIntervalSince1970) }
            // Cache at most a day either way, and never across a transition.
            let until = min(next ?? Int64.max, epochSeconds + 86_400)
            return Entry(offset: offset, validFrom: epochSeconds, validUntil: until)
        }
    }

    private let state = Locked(State())

    /// Creates an empty converter.
    public init() {}

    /// A process-wide shared converter.
    public static let shared = ZoneConverter()

    /// Whether `identifier` names a known IANA time zone.
    public static func isValid(_ identifier: String) -> Bool {
        TimeZone(identifier: identifier) != nil
    }

    /// The local time of an instant (seconds since the epoch) in a time zone (UTC when unknown).
    public func localTime(epochSeconds: Int64, zone identifier: String) -> LocalTime {
        LocalTime(epochSeconds: epochSeconds, offsetSeconds: offset(epochSeconds: epochSeconds, zone: identifier))
    }

    /// The zone's UTC offset at an instant.
    public func offset(epochSeconds: Int64, zone identifier: String) -> Int {
        state.withLock { $0.offset(epochSeconds: epochSeconds, zone: identifier) }
    }
}
