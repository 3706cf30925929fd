// swift-tools-version: 6.2
import Foundation
import PackageDescription

// Where Bifrost comes from. Inside the Bifrost repository (where CI builds this starter) it is the repository
// itself; in your own copy, set BIFROST_PATH to a checkout, or replace this line with
// `.package(url: "https://<your git host>/bifrost-swift.git", from: "0.21.0")`.
let bifrost: Package.Dependency = .package(
    name: "bifrost", path: ProcessInfo.processInfo.environment["BIFROST_PATH"] ?? "../.."
)

let package = Package(
    name: "MyWorkflows",
    platforms: [.macOS(.v15)],
    products: [
        // Your `bifrost`: named apart from the Bifrost package's own demo executable (`bifrost`), which is built too.
        .executable(name: "my-bifrost", targets: ["Server"])
    ],
    dependencies: [bifrost],
    targets: [
        // Your workflows and data providers. The WorkflowDiscovery plugin lists them at build time
        // (`DiscoveredWorkflows`): a new workflow needs no registration.
        .target(
            name: "Workflows",
            dependencies: [.product(name: "Bifrost", package: "bifrost")],
            plugins: [.plugin(name: "WorkflowDiscovery", package: "bifrost")]
        ),
        // Your `bifrost` executable: the whole command line (serve, migrate, workflows run, …) over your workflows.
        .executableTarget(
            name: "Server",
            dependencies: ["Workflows", .product(name: "BifrostServer", package: "bifrost")]
        ),
        // Unit tests of the workflows: no database, no HTTP.
        .testTarget(
            name: "WorkflowsTests",
            dependencies: ["Workflows", .product(name: "BifrostTesting", package: "bifrost")]
        ),
    ]
)
