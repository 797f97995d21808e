// swift-tools-version:6.1
import PackageDescription

/// Microbenchmarks of the exchange's per-lead hot paths.
///
/// A package of its own, beside the main one (which it depends on by path), so the main
/// package's build and CI never build ordo-one/benchmark. Run from this folder:
/// `swift package --disable-sandbox benchmark`.
///
/// ordo-one/benchmark's traits are named explicitly: `MallocInterposer` counts allocations
/// without jemalloc (not needed), and leaving out its other default
/// trait, `RuntimeInterposer`, keeps out a further dependency.
let package = Package(
    name: "GavelBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "gavel", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "GavelHotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GavelCore", package: "gavel"),
                .product(name: "GavelBuyers", package: "gavel"),
                .product(name: "GavelSim", package: "gavel"),
                .product(name: "GavelStoreSupport", package: "gavel"),
            ],
            path: "Benchmarks/GavelHotPaths",
            swiftSettings: [.swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny")],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        )
    ]
)
