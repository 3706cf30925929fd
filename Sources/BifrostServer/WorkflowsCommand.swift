import ArgumentParser
import Bifrost
import BifrostEngine
import Foundation

/// `bifrost workflows`: the registered workflows, listed or run from the command line.
struct WorkflowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflows", abstract: "List the registered workflows, or run one.",
        subcommands: [List.self, RunWorkflowCommand.self]
    )

    /// `bifrost workflows list`: name, mode, description and parameters of each workflow; reads no database.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered workflows and data providers.")

        func run() async throws {
            let catalogue = try Registration.catalogue()
            for entry in catalogue.sortedWorkflows {
                let workflow = entry.configuration
                var line = "\(workflow.name)  [\(workflow.executionMode.rawValue)]"
                if !workflow.category.isEmpty { line += "  \(workflow.category)" }
                print(line)
                print("    \(workflow.description)")
                for parameter in entry.parameters {
                    let required = parameter.isRequired ? ", required" : ""
                    let defaultValue = parameter.defaultValue.map { ", default \($0.jsonText)" } ?? ""
                    print("    --input \(parameter.name): \(parameter.kind.rawValue)\(required)\(defaultValue)")
                }
            }
            for name in catalogue.dataProviders.keys.sorted() {
                print("\(name)  [data provider]")
            }
        }
    }
}
