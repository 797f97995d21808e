import Foundation

/// A point in wall-clock time, in milliseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the epoch.
    public var milliseconds: Int64

    /// Creates a timestamp.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// A timestamp from whole seconds since the epoch.
    public init(seconds: Int64) {
        self.milliseconds = seconds * 1_000
    }

    /// Whole seconds since the epoch.
    public var seconds: Int64 {
        milliseconds >= 0 ? milliseconds / 1_000 : (milliseconds - 999) / 1_000
    }

    /// The timestamp `ms` milliseconds later.
    public func adding(milliseconds ms: Int64) -> Timestamp {
        Timestamp(milliseconds: milliseconds + ms)
    }

    /// The timestamp `days` days earlier.
    public func minus(days: Int) -> Timestamp {
        Timestamp(milliseconds: milliseconds - Int64(days) * 86_400_000)
    }

    /// The UTC calendar date.
    public var utcDate: CivilDate {
        LocalTime(epochSeconds: seconds, offsetSeconds: 0).date
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T10:00:00.123Z`.
    public var rfc3339: String {
        let local = LocalTime(epochSeconds: seconds, offsetSeconds: 0)
        let secondOfDay = Int(seconds - Int64(local.date.daysSinceEpoch) * 86_400)
        let ms = Int(milliseconds - seconds * 1_000)
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(local.date)T\(pad(secondOfDay / 3600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60)).\(pad(ms, 3))Z"
    }

    /// Orders timestamps.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// The RFC 3339 text.
    public var description: String { rfc3339 }

    /// The wire value (an RFC 3339 string).
    public var json: JSONValue { .string(rfc3339) }

    /// Parses RFC 3339 (`2026-11-29T10:00:00Z`, with optional fraction and offset) or a plain
    /// `YYYY-MM-DD` (midnight UTC).
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, case .success = FieldSpec.normalizeDate(String(decoding: bytes[0..<10], as: UTF8.self)),
            let year = FieldSpec.digitsValue(bytes[0..<4]), let month = FieldSpec.digitsValue(bytes[5..<7]),
            let day = FieldSpec.digitsValue(bytes[8..<10])
        else { return nil }
        let days = Int64(CivilDate(year: year, month: month, day: day).daysSinceEpoch)
        if bytes.count == 10 {
            self.init(seconds: days * 86_400)
            return
        }
        guard let (secondOfDay, fractionMS, offset) = Self.parseTime(bytes[11...]),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " ")
        else {
            return nil
        }
        self.init(milliseconds: (days * 86_400 + Int64(secondOfDay) - Int64(offset)) * 1_000 + Int64(fractionMS))
    }

    private static func parseTime(_ bytes: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        let b = Array(bytes)
        guard b.count >= 9, b[2] == UInt8(ascii: ":"), b[5] == UInt8(ascii: ":"),
            let h = FieldSpec.digitsValue(b[0..<2]), let m = FieldSpec.digitsValue(b[3..<5]),
            let s = FieldSpec.digitsValue(b[6..<8]), h < 24, m < 60, s < 61
        else { return nil }
        var index = 8
        var fraction = 0
        if b[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < b.count, let digit = FieldSpec.digitsValue(b[index...index]) {
                if digits < 3 { fraction = fraction * 10 + digit }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 3)..<3 { fraction *= 10 }  // a range digits..<3 traps past 3 digits
        }
        guard let offset = parseOffset(b[index...]) else { return nil }
        return (h * 3600 + m * 60 + s, fraction, offset)
    }

    private static func parseOffset(_ bytes: ArraySlice<UInt8>) -> Int? {
        let b = Array(bytes)
        if b == [UInt8(ascii: "Z")] || b == [UInt8(ascii: "z")] { return 0 }
        guard b.count == 6, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), b[3] == UInt8(ascii: ":"),
            let h = FieldSpec.digitsValue(b[1..<3]), let m = FieldSpec.digitsValue(b[4..<6]), h < 24, m < 60
        else { return nil }
        return (b[0] == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
    }
}

/// Where the exchange reads the wall-clock time: the system clock in production, a manual clock
/// in tests.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Timestamp
}

/// The system's wall clock.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current time.
    public func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)))
    }
}

/// A wall clock that only moves when told to, for tests of caps, TTLs and schedules.
public final class ManualWallClock: WallClock, Sendable {
    private let current: Locked<Timestamp>

    /// Creates a clock showing `start`.
    public init(_ start: Timestamp) {
        current = Locked(start)
    }

    /// The time shown.
    public func now() -> Timestamp {
        current.withLock { $0 }
    }

    /// Moves the clock forward.
    public func advance(milliseconds: Int64) {
        current.withLock { $0 = $0.adding(milliseconds: milliseconds) }
    }

    /// Sets the clock.
    public func set(_ time: Timestamp) {
        current.withLock { $0 = time }
    }
}
