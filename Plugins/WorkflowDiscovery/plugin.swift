import Foundation
import PackagePlugin

/// Finds every workflow and data provider declared in a target's sources and generates `DiscoveredWorkflows`
/// (`DiscoveredWorkflows.workflows`, `.dataProviders`), so that no hand-kept list can forget one.
///
/// Apply it to the target that declares the workflows:
/// `plugins: [.plugin(name: "WorkflowDiscovery", package: "bifrost")]`.
@main
struct WorkflowDiscovery: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let sources = target.sourceModule?.sourceFiles(withSuffix: "swift") else { return [] }
        let inputs = sources.map(\.url).sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "DiscoveredWorkflows.swift")
        return [
            .buildCommand(
                displayName: "Discovering the workflows of \(target.name)",
                executable: try context.tool(named: "WorkflowScanner").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
