/// SplitMix64: a small, fast, seedable random generator, so that seeded simulations, benchmark
/// streams and test inputs repeat exactly on every machine. Any seed (zero included) is fine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// Where the generator is: the seed, advanced by one step per draw.
    public private(set) var state: UInt64

    /// Creates a generator whose first draw mixes `seed` advanced by one step.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
