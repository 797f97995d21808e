import GavelSim

/// The store tests' stream of finished leads: the fixture market `gavel bench --fill` imports.
typealias GeneratedMarket = FixtureMarket
