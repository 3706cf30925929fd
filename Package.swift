// swift-tools-version: 6.2
import Foundation
import PackageDescription

/// Settings every target of ours shares: Swift 6 language mode with strict concurrency (the default in 6),
/// plus the upcoming features the style guide asks for.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Tests keep strict concurrency and `any`, but see their dependencies' re-exports as ordinary imports do.
let testSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The migration files, each embedded in the binary (`MigrationCatalog` lists them; a test compares).
let migrationFiles: [String] = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Sources/BifrostStore/Migrations")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".sql") }.sorted()
}()

/// The operator console's files (page, script modules, style), each embedded in the binary (`ConsoleAssets`
/// lists them; a test compares).
let consoleFiles: [String] = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Sources/BifrostGateway/Resources/Console")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { !$0.hasPrefix(".") }.sorted()
}()

let package = Package(
    name: "Bifrost",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bifrost", targets: ["BifrostCLI"]),
        .executable(name: "bifrost-testbed", targets: ["BifrostTestbed"]),
        .executable(name: "crypto-bench", targets: ["CryptoBench"]),
        .executable(name: "oauth-bench", targets: ["OAuthBench"]),
        .executable(name: "floor-bench", targets: ["FloorBench"]),
        // What workflow authors import.
        .library(name: "Bifrost", targets: ["Bifrost"]),
        // The whole `bifrost` command line over your own workflows: `BifrostCommand.main(workflows:…)`.
        .library(name: "BifrostServer", targets: ["BifrostServer"]),
        // Unit tests of workflows without PostgreSQL or HTTP.
        .library(name: "BifrostTesting", targets: ["BifrostTesting"]),
        // A typed Swift client of the admin API, generated from openapi.yaml.
        .library(name: "BifrostClient", targets: ["BifrostClient"]),
        // Generates `DiscoveredWorkflows` from a target's sources: no hand-kept list of workflows.
        .plugin(name: "WorkflowDiscovery", targets: ["WorkflowDiscovery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", from: "1.4.0",
            traits: [.defaults, "YAML", "CommandLineArguments"]
        ),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP over HTTP (protobuf) only: the gRPC exporter would add grpc-swift and minutes to every build.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // What workflow authors import.
        .target(
            name: "Bifrost",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Span and metric names, and the helpers every module records them with (swift-distributed-tracing and
        // swift-metrics APIs only: the exporter is chosen by `bifrost serve`).
        .target(
            name: "BifrostTelemetry",
            dependencies: [
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The system OpenSSL (libssl-dev): encryption, hashing and randomness go through it.
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]
        ),
        // Password and token hashing, constant-time comparison, randomness (and later envelope encryption).
        .target(name: "BifrostCrypto", dependencies: ["COpenSSL"], swiftSettings: strictSettings),
        // Database: client, embedded development cluster, migrations.
        .target(
            name: "BifrostStore",
            dependencies: [
                "BifrostTelemetry",
                "Bifrost",
                "BifrostCrypto",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Built into the binary, so that it needs no resource folder beside it.
            resources: migrationFiles.map { .embedInCode("Migrations/\($0)") },
            swiftSettings: strictSettings
        ),
        // Types and server stubs generated from openapi.yaml (the admin API contract).
        .target(
            name: "BifrostAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The workflow catalogue, input validation, and the executor (timeouts, cancellation, logs, statuses).
        .target(
            name: "BifrostEngine",
            dependencies: [
                "BifrostTelemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "Bifrost",
                "BifrostStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The seed document's workflows, in Swift.
        .target(
            name: "ExampleWorkflows",
            dependencies: ["Bifrost"],
            swiftSettings: strictSettings,
            plugins: ["WorkflowDiscovery"]
        ),
        // OAuth: provider catalogue, authorization-code (PKCE) and client-credentials flows, the refresh broker.
        .target(
            name: "BifrostOAuth",
            dependencies: [
                "BifrostTelemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "Bifrost",
                "BifrostStore",
                "BifrostCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Resources/oauth-providers.yaml")],
            swiftSettings: strictSettings
        ),
        // What runs without HTTP: configuration, identity services, job workers, the schedule ticker, the
        // retention sweeper, the instance heartbeat, the notification listener and its subscriptions.
        .target(
            name: "BifrostRuntime",
            dependencies: [
                "BifrostTelemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "Bifrost",
                "BifrostStore",
                "BifrostEngine",
                "BifrostCrypto",
                "BifrostOAuth",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP layer: Hummingbird application, middleware, handlers, problem+json, OpenAPI wiring, assembly.
        .target(
            name: "BifrostGateway",
            dependencies: [
                "BifrostTelemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "Bifrost",
                "BifrostRuntime",
                "BifrostStore",
                "BifrostEngine",
                "BifrostAPI",
                "BifrostCrypto",
                "BifrostOAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Resources/openapi.yaml"), .embedInCode("Resources/roles.yaml"),
                .embedInCode("Resources/rate-limits.yaml"),
            ] + consoleFiles.map { .embedInCode("Resources/Console/\($0)") },
            swiftSettings: strictSettings
        ),
        // The `bifrost` command line as a library: serve, migrate, openapi, users, keys, workflows.
        .target(
            name: "BifrostServer",
            dependencies: [
                "Bifrost",
                "BifrostGateway",
                "BifrostRuntime",
                "BifrostEngine",
                "BifrostStore",
                "BifrostCrypto",
                "BifrostOAuth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.embedInCode("Resources/configuration.md")],
            swiftSettings: strictSettings,
            plugins: ["BuildInfo"]
        ),
        // The repository's `bifrost`: the server library over the example workflows.
        .executableTarget(
            name: "BifrostCLI",
            dependencies: ["BifrostServer", "ExampleWorkflows"],
            swiftSettings: strictSettings
        ),
        // Run a workflow in a unit test: in-memory configuration, secrets, files and tokens, captured logs.
        .target(
            name: "BifrostTesting",
            dependencies: ["Bifrost", "BifrostEngine", "BifrostStore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Types and a client generated from openapi.yaml, with AsyncHTTPClient as the transport.
        .target(
            name: "BifrostClient",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // Stamps `bifrost --version` with the commit.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // Lists a target's workflows and data providers at build time; its tool reads the sources.
        .plugin(name: "WorkflowDiscovery", capability: .buildTool(), dependencies: ["WorkflowScanner"]),
        .executableTarget(name: "WorkflowScanner", swiftSettings: strictSettings),
        // Workflows that exist for tests and operators (failing, waiting, reading a secret's length), never shipped.
        .target(
            name: "TestbedWorkflows",
            dependencies: ["Bifrost", "ExampleWorkflows"],
            path: "Tests/TestbedWorkflows",
            swiftSettings: strictSettings,
            plugins: ["WorkflowDiscovery"]
        ),
        // `bifrost-testbed`: `bifrost` with the test workflows added; the end-to-end tests run it.
        .executableTarget(
            name: "BifrostTestbed",
            dependencies: ["Bifrost", "BifrostServer", "TestbedWorkflows"],
            path: "Tests/BifrostTestbed",
            swiftSettings: strictSettings
        ),
        // Shared fixtures for tests: a throwaway PostgreSQL cluster, a database per suite, HTTP helpers.
        .target(
            name: "BifrostTestSupport",
            dependencies: [
                "BifrostStore",
                "BifrostCrypto",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/BifrostTestSupport",
            swiftSettings: strictSettings
        ),
        // Benchmarks/crypto.sh: seal + open through BifrostCrypto, timed.
        .executableTarget(
            name: "CryptoBench", dependencies: ["BifrostCrypto"], path: "Benchmarks/CryptoBench",
            swiftSettings: strictSettings
        ),
        // Benchmarks/floor.sh: the least a Hummingbird + PostgresNIO server does per run, to measure bifrost against.
        .executableTarget(
            name: "FloorBench",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/FloorBench",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "OAuthBench",
            dependencies: [
                "BifrostOAuth", "BifrostStore", "BifrostCrypto", "BifrostTestSupport", "Bifrost",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/OAuthBench",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BifrostCryptoTests",
            dependencies: ["BifrostCrypto"],
            swiftSettings: testSettings
        ),
        .testTarget(name: "BifrostTests", dependencies: ["Bifrost"], swiftSettings: testSettings),
        .testTarget(
            name: "BifrostStoreTests",
            dependencies: [
                "Bifrost", "BifrostStore", "BifrostCrypto", "BifrostTestSupport", "BifrostTelemetry",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "BifrostEngineTests", dependencies: ["Bifrost", "BifrostEngine", "BifrostTesting"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "BifrostOAuthTests", dependencies: ["Bifrost", "BifrostOAuth"], swiftSettings: testSettings
        ),
        .testTarget(
            name: "BifrostRuntimeTests",
            dependencies: [
                "BifrostRuntime", "BifrostStore", "BifrostCrypto", "BifrostTestSupport", "Bifrost", "BifrostEngine",
                "BifrostTesting", "ExampleWorkflows",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "BifrostGatewayTests",
            dependencies: [
                "BifrostOAuth",
                "BifrostGateway",
                "BifrostRuntime",
                "BifrostEngine",
                "ExampleWorkflows",
                "TestbedWorkflows",
                "Bifrost",
                "BifrostStore",
                "BifrostTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "JWTKit", package: "jwt-kit"),
                "BifrostCrypto",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: testSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // A client generated from the gateway's generated document (Tests/BifrostClientTests/openapi.json).
        .testTarget(
            name: "BifrostClientTests",
            dependencies: [
                "BifrostStore",
                "BifrostTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: testSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .testTarget(
            name: "BifrostEndToEndTests",
            dependencies: [
                "BifrostClient",
                "BifrostStore",
                "BifrostTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSettings
        ),
        // The example workflows' unit tests, on BifrostTesting: no database, no HTTP.
        .testTarget(
            name: "ExampleWorkflowsTests",
            dependencies: ["ExampleWorkflows", "BifrostTesting", "Bifrost"],
            swiftSettings: testSettings
        ),
        // The workflow scanner behind the WorkflowDiscovery plugin.
        .testTarget(name: "WorkflowScannerTests", dependencies: ["WorkflowScanner"], swiftSettings: testSettings),
    ]
)
