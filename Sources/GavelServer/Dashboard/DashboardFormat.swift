import GavelCore

/// How the dashboard writes numbers, money and times for people: money from integer cents as
/// `$1,234.50`, counts with thousands separators, times in the viewer's time zone.
enum DashboardFormat {
    /// `$1,234.50` (`-$3.00` when negative); `$1,234` with `wholeDollars`.
    static func money(_ amount: Money, wholeDollars: Bool = false) -> String {
        let sign = amount.cents < 0 ? "-" : ""
        let magnitude = amount.cents.magnitude
        let dollars = grouped(String(magnitude / 100))
        guard !wholeDollars else { return "\(sign)$\(dollars)" }
        let cents = magnitude % 100
        return "\(sign)$\(dollars).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Money, or a dash when it is hidden or unknown.
    static func money(_ amount: Money?) -> String {
        amount.map { money($0) } ?? "—"
    }

    /// `12,345`.
    static func count(_ value: Int64) -> String {
        (value < 0 ? "-" : "") + grouped(String(value.magnitude))
    }

    /// `12,345`.
    static func count(_ value: Int) -> String {
        count(Int64(value))
    }

    private static func grouped(_ digits: String) -> String {
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    /// `part ÷ whole` as a percentage with one decimal, rounded half up (`45.3%`); a dash
    /// when there is no whole.
    static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "—" }
        let tenths = (Int64(part) * 2_000 + Int64(whole)) / (2 * Int64(whole))
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// Milliseconds, or a dash.
    static func milliseconds(_ value: Int?) -> String {
        value.map { "\(count($0)) ms" } ?? "—"
    }

    /// Tenths of a millisecond from microseconds (`12.3 ms`).
    static func latency(micros: Int64) -> String {
        let tenths = (micros + 50) / 100
        return "\(count(tenths / 10)).\(tenths % 10) ms"
    }

    /// The local time of a moment in a zone: `2026-11-29 10:00:05`.
    static func time(_ time: Timestamp, zone: String, converter: ZoneConverter = .shared) -> String {
        let offset = converter.offset(epochSeconds: time.seconds, zone: zone)
        let local = LocalTime(epochSeconds: time.seconds, offsetSeconds: offset)
        let second = Int((time.seconds + Int64(offset)) % 60 + 60) % 60
        return "\(local.date) \(pad(local.minuteOfDay / 60)):\(pad(local.minuteOfDay % 60)):\(pad(second))"
    }

    /// The local hour of a moment: `14:00`, or `Sat 14:00` with the weekday.
    static func hour(_ time: Timestamp, zone: String, weekday: Bool = false, converter: ZoneConverter = .shared) -> String {
        let local = converter.localTime(epochSeconds: time.seconds, zone: zone)
        let clock = "\(pad(local.minuteOfDay / 60)):\(pad(local.minuteOfDay % 60))"
        return weekday ? "\(Self.weekdays[local.date.weekday]) \(clock)" : clock
    }

    /// Short weekday names, Monday first.
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// Minutes since midnight as `09:30` (`24:00` for the end of the day).
    static func minuteOfDay(_ minute: Int) -> String {
        "\(pad(minute / 60)):\(pad(minute % 60))"
    }

    /// The moment the local day of `time` began in `zone`.
    static func startOfDay(_ time: Timestamp, zone: String, converter: ZoneConverter = .shared) -> Timestamp {
        let local = converter.localTime(epochSeconds: time.seconds, zone: zone)
        let guess = Int64(local.date.daysSinceEpoch) * 86_400
        // The offset at midnight may differ from now's (a DST change today): use midnight's.
        let offset = converter.offset(epochSeconds: guess - Int64(converter.offset(epochSeconds: guess, zone: zone)), zone: zone)
        return Timestamp(seconds: guess - Int64(offset))
    }

    private static func pad(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
