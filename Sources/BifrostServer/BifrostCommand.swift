import ArgumentParser
public import Bifrost

/// The whole `bifrost` command line (`serve`, `migrate`, `openapi`, `users`, `keys`, `workflows`) over the
/// workflows and data providers you give it.
///
/// An MSP's own executable is one call:
///
/// ```swift
/// import BifrostServer
///
/// @main
/// enum Main {
///     static func main() async {
///         await BifrostCommand.main(workflows: Workflows.all, dataProviders: Workflows.dataProviders)
///     }
/// }
/// ```
///
/// The commands that use the workflows (`serve`, `openapi --with-workflows`, `workflows list`, `workflows run`)
/// check the catalogue first: a duplicate name, a data provider that is not registered or an invalid schedule
/// stops the process with exit status 2 and a message naming the workflow.
public enum BifrostCommand {
    /// Parses `arguments` (the process's own when nil), runs the command they name and exits.
    public static func main(
        workflows: [any Workflow.Type], dataProviders: [any DataProvider.Type] = [], arguments: [String]? = nil
    ) async {
        await Registration.$current.withValue(Registration(workflows: workflows, dataProviders: dataProviders)) {
            await RootCommand.main(arguments)
        }
    }
}
