import ArgumentParser
import BifrostEngine
import BifrostGateway

/// `bifrost openapi`: prints the admin API contract, or the document generated with every workflow.
struct OpenAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the admin API's OpenAPI document (YAML), or with --with-workflows the generated one (JSON)."
    )

    @Flag(help: "Add one operation per workflow and endpoint, with schemas from their parameters (JSON).")
    var withWorkflows = false

    func run() async throws {
        guard withWorkflows else { return print(Contract.openAPIDocument(), terminator: "") }
        let catalogue = try Registration.catalogue()
        print(try Contract.generatedDocument(for: catalogue))
    }
}
