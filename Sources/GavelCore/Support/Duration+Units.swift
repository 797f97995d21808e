/// A `Duration` in the units the exchange counts in: whole milliseconds, microseconds and
/// nanoseconds (exact integer arithmetic, truncated toward zero), and fractional seconds and
/// milliseconds for rates and figures.
extension Duration {
    /// The duration in whole milliseconds, truncated toward zero.
    public var milliseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000 + parts.attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole microseconds, truncated toward zero.
    public var microseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000
    }

    /// The duration in whole nanoseconds, truncated toward zero.
    public var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// The duration in seconds, with a fraction.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// The duration in milliseconds, with a fraction.
    public var fractionalMilliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1_000 + Double(parts.attoseconds) / 1e15
    }
}
