public import Bifrost
import Foundation

/// Every workflow and data provider the gateway offers, checked once at start.
///
/// Refuses (with a message naming the workflow and the problem) a name that is not snake_case, a duplicate
/// name, a parameter whose data provider is not registered, an invalid cron expression or one that never fires,
/// a scheduled workflow with a required parameter (a schedule gives no input), a pattern that does not
/// compile, and a workflow role whose name breaks `WorkflowRole.pattern`.
public struct WorkflowCatalogue: Sendable {
    /// Workflows by name.
    public let workflows: [String: WorkflowEntry]
    /// Data providers by name.
    public let dataProviders: [String: any DataProvider.Type]

    public init(workflows types: [any Workflow.Type], dataProviders providerTypes: [any DataProvider.Type]) throws {
        var providers: [String: any DataProvider.Type] = [:]
        for type in providerTypes {
            let name = type.configuration.name
            guard Self.isSnakeCase(name) else {
                throw CatalogueError(subject: "data provider \(name)", problem: "its name is not snake_case")
            }
            guard providers[name] == nil else {
                throw CatalogueError(subject: "data provider \(name)", problem: "the name is used twice")
            }
            providers[name] = type
        }
        var entries: [String: WorkflowEntry] = [:]
        for type in types {
            let entry = try WorkflowEntry(type)
            let name = entry.configuration.name
            guard entries[name] == nil else {
                throw CatalogueError(subject: "workflow \(name)", problem: "the name is used twice")
            }
            for parameter in entry.parameters {
                if let provider = parameter.dataProvider, providers[provider] == nil {
                    throw CatalogueError(
                        subject: "workflow \(name)",
                        problem: "parameter \(parameter.name) uses data provider \(provider), which is not registered"
                    )
                }
            }
            entries[name] = entry
        }
        workflows = entries
        dataProviders = providers
    }

    /// Workflows sorted by name.
    public var sortedWorkflows: [WorkflowEntry] {
        workflows.values.sorted { $0.configuration.name < $1.configuration.name }
    }

    static func isSnakeCase(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase, name.count <= 100 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}

/// One workflow of the catalogue: its configuration, its parameters, and how to make a bound instance.
public struct WorkflowEntry: Sendable {
    public let type: any Workflow.Type
    public let configuration: WorkflowConfiguration
    /// Parameters in declaration order.
    public let parameters: [ParameterDeclaration]
    /// Compiled `pattern` rules by parameter name.
    let patterns: [String: [NSRegularExpression]]
    /// The Swift property behind each parameter name (the key `Decodable` expects).
    let propertyNames: [String: String]
    /// The schedule, parsed.
    public let schedule: CronExpression?

    init(_ type: any Workflow.Type) throws {
        let configuration = type.configuration
        let name = configuration.name
        func refuse(_ problem: String) -> CatalogueError {
            CatalogueError(subject: "workflow \(name)", problem: problem)
        }
        guard WorkflowCatalogue.isSnakeCase(name) else { throw refuse("its name is not snake_case") }
        guard configuration.timeout > .zero else { throw refuse("its timeout must be positive") }
        guard (0...10).contains(configuration.retries) else { throw refuse("its retries must be between 0 and 10") }
        if let role = configuration.roles.sorted().first(where: { !WorkflowRole.isValid($0) }) {
            throw refuse("its role \"\(role)\" is not 1 to 64 of a-z, 0-9, _ and -")
        }
        if configuration.executionMode == .scheduled, configuration.schedule == nil {
            throw refuse("it is scheduled but declares no schedule")
        }
        do {
            schedule = try configuration.schedule.map(CronExpression.init(parsing:))
        } catch {
            throw refuse("its schedule \"\(configuration.schedule ?? "")\" is not a valid cron expression: \(error)")
        }
        var parameters: [ParameterDeclaration] = []
        var properties: [String: String] = [:]
        var patterns: [String: [NSRegularExpression]] = [:]
        for child in Mirror(reflecting: type.init()).children {
            guard let label = child.label, let declaring = child.value as? any ParameterDeclaring,
                let declaration = declaring.declaration
            else { continue }
            let property = String(label.drop(while: { $0 == "_" }))
            let parameter = declaration.named(fromProperty: property)
            guard properties[parameter.name] == nil else {
                throw refuse("parameter \(parameter.name) is declared twice")
            }
            for case .pattern(let expression) in parameter.validations {
                do {
                    patterns[parameter.name, default: []].append(try NSRegularExpression(pattern: expression))
                } catch {
                    throw refuse("parameter \(parameter.name) has a pattern that does not compile: \(expression)")
                }
            }
            properties[parameter.name] = property
            parameters.append(parameter)
        }
        self.type = type
        self.configuration = configuration
        self.parameters = parameters
        self.propertyNames = properties
        self.patterns = patterns
        if let schedule {
            guard schedule.everFires else { throw refuse("its schedule \"\(schedule)\" never fires") }
            guard (try? validate([:])) != nil else {
                throw refuse("it is scheduled, so every parameter needs a default or must be optional")
            }
        }
    }
}

/// Why the catalogue refused to load: start-up stops with this message.
public struct CatalogueError: Error, Sendable, CustomStringConvertible {
    /// `workflow <name>` or `data provider <name>`.
    public var subject: String
    public var problem: String

    public var description: String { "Cannot load \(subject): \(problem)." }
}
