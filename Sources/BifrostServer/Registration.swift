import ArgumentParser
import Bifrost
import BifrostEngine
import Foundation

/// The workflows and data providers `BifrostCommand.main` was given, for the commands that need them.
struct Registration: Sendable {
    let workflows: [any Workflow.Type]
    let dataProviders: [any DataProvider.Type]

    /// What the running `BifrostCommand.main` registered (nothing outside it).
    @TaskLocal static var current = Registration(workflows: [], dataProviders: [])

    /// The checked catalogue; exits with status 2 and the catalogue's message when it is refused.
    static func catalogue() throws -> WorkflowCatalogue {
        do {
            return try WorkflowCatalogue(workflows: current.workflows, dataProviders: current.dataProviders)
        } catch {
            FileHandle.standardError.write(Data("bifrost: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
