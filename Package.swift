// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// SwiftNIO's HTTP/1 client and server pieces with TLS: the buyer client, and the loopback servers of the tests.
let nioHTTP: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
]

let package = Package(
    name: "gavel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gavel", targets: ["gavel"]),
        .library(name: "GavelCore", targets: ["GavelCore"]),
        .library(name: "GavelStoreSupport", targets: ["GavelStoreSupport"]),
        .library(name: "GavelStoreSQLite", targets: ["GavelStoreSQLite"]),
        .library(name: "GavelStorePostgres", targets: ["GavelStorePostgres"]),
        .library(name: "GavelBuyers", targets: ["GavelBuyers"]),
        .library(name: "GavelServer", targets: ["GavelServer"]),
        .library(name: "GavelSim", targets: ["GavelSim"]),
        .library(name: "GavelTesting", targets: ["GavelTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "GavelCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GavelStoreSupport",
            dependencies: [
                "GavelCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GavelStoreSQLite",
            dependencies: [
                "GavelCore", "GavelStoreSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GavelStorePostgres",
            dependencies: [
                "GavelCore", "GavelStoreSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GavelTesting",
            dependencies: ["GavelCore", "GavelStoreSupport"] + nioHTTP,
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GavelBuyers",
            dependencies: [
                "GavelCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ] + nioHTTP,
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GavelSim",
            dependencies: [
                "GavelCore", "GavelBuyers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GavelServer",
            dependencies: [
                "GavelCore", "GavelBuyers", "GavelStoreSupport", "GavelStoreSQLite", "GavelStorePostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "gavel",
            dependencies: [
                "GavelCore", "GavelStoreSupport", "GavelStoreSQLite", "GavelStorePostgres", "GavelBuyers", "GavelServer", "GavelSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GavelCoreTests",
            dependencies: [
                "GavelCore", "GavelStoreSupport", "GavelTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GavelBuyersTests",
            dependencies: [
                "GavelCore", "GavelBuyers", "GavelSim", "GavelTesting",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GavelSimTests",
            dependencies: ["GavelCore", "GavelSim", "GavelTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GavelStoreTests",
            dependencies: ["GavelCore", "GavelStoreSupport", "GavelStoreSQLite", "GavelStorePostgres", "GavelSim", "GavelTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GavelServerTests",
            dependencies: [
                "GavelCore", "GavelStoreSupport", "GavelStoreSQLite", "GavelStorePostgres", "GavelServer", "GavelSim", "GavelBuyers",
                "GavelTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GavelEndToEndTests",
            dependencies: [
                "GavelCore", "GavelSim", "GavelBuyers", "GavelTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
