import Foundation

// `WorkflowScanner OUTPUT SOURCE…`: writes OUTPUT, a Swift file declaring `DiscoveredWorkflows` with every
// workflow and data provider the sources declare. Run by the WorkflowDiscovery build plugin.
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: WorkflowScanner OUTPUT SOURCE...\n".utf8))
    exit(64)
}
var workflows: [String] = []
var dataProviders: [String] = []
var refused = false
for path in arguments.dropFirst() {
    let source = try String(contentsOfFile: path, encoding: .utf8)
    for found in DeclarationScanner.scan(source) {
        if found.isPrivate {
            let kind = found.kind == .workflow ? "workflow" : "data provider"
            print(
                "\(path):\(found.line): error: \(kind) \(found.name) is private, so the catalogue cannot list it; "
                    + "make it internal")
            refused = true
            continue
        }
        switch found.kind {
        case .workflow: workflows.append(found.name)
        case .dataProvider: dataProviders.append(found.name)
        }
    }
}
if refused { exit(1) }
func list(_ names: [String]) -> String {
    names.sorted().map { "        \($0).self," }.joined(separator: "\n")
}
let generated = """
    // Written by the WorkflowDiscovery plugin from this module's sources; do not edit.
    import Bifrost

    /// Every workflow and data provider this module declares, found in its sources at build time.
    enum DiscoveredWorkflows {
        /// The workflows, sorted by type name.
        static let workflows: [any Workflow.Type] = [
    \(list(workflows))
        ]

        /// The data providers, sorted by type name.
        static let dataProviders: [any DataProvider.Type] = [
    \(list(dataProviders))
        ]
    }

    """
try Data(generated.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
