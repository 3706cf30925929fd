import ArgumentParser
import BifrostGateway

/// `bifrost openapi`: prints the admin API contract.
struct OpenAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the admin API's OpenAPI document (YAML)."
    )

    func run() async throws {
        print(Contract.openAPIDocument(), terminator: "")
    }
}
