import Foundation
import GavelCore

/// A small, fast, seedable random generator (xoshiro256**, seeded through SplitMix64) with
/// the samplers the market model needs. No Foundation randomness: the same seed gives the same
/// sequence on every machine, so simulated markets and benchmark streams repeat exactly.
public struct SimRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator from a seed; any seed (zero included) is fine.
    public init(seed: UInt64) {
        var mixer = SeededRandom(seed: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// Creates a generator from several seeds mixed together (e.g. a buyer's seed and a lead's key).
    public init(seeds: UInt64...) {
        self.init(seed: seeds.reduce(0x6A09_E667_F3BC_C909) { StableHash.mix($0, $1) })
    }

    /// SplitMix64: one step of the seeding generator (``SeededRandom``) from `state`.
    public static func splitMix(_ state: inout UInt64) -> UInt64 {
        var mixer = SeededRandom(seed: state)
        defer { state = mixer.state }
        return mixer.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotate(s3, 45)
        return result
    }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    // MARK: Samplers

    /// A uniform double in `0..<1` (53 random bits).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in a range.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }

    /// A uniform integer in a range.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// `true` with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        uniform() < p
    }

    /// A standard normal draw (Box–Muller, one of the pair).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1.0p-60)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A normal draw with a mean and standard deviation.
    public mutating func normal(mean: Double, deviation: Double) -> Double {
        mean + deviation * normal()
    }

    /// A lognormal draw with the given median and log-space standard deviation `sigma`.
    public mutating func lognormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// One element, uniformly.
    public mutating func pick<T>(_ elements: [T]) -> T {
        elements[Int.random(in: 0..<elements.count, using: &self)]
    }

    /// An index drawn with probability proportional to its weight.
    public mutating func weightedIndex(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var point = uniform() * total
        for (index, weight) in weights.enumerated() {
            if point < weight { return index }
            point -= weight
        }
        return weights.count - 1
    }
}

/// A stable 64-bit hash (FNV-1a, then mixed), the same in every process, for deriving seeds from
/// names and lead contents (Swift's `Hasher` is randomly seeded per process).
public enum StableHash {
    /// The hash of bytes.
    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        var state = hash
        return SimRandom.splitMix(&state)
    }

    /// The hash of a string's UTF-8 bytes.
    public static func of(_ text: String) -> UInt64 {
        of(text.utf8)
    }

    /// Two values mixed into one.
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var state = a ^ (b &* 0x9E37_79B9_7F4A_7C15)
        return SimRandom.splitMix(&state)
    }
}
