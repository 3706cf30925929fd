import Bifrost
import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import HTTPTypes
import OpenAPIRuntime

extension APIService {
    func listWorkflows(_ input: Operations.ListWorkflows.Input) async throws -> Operations.ListWorkflows.Output {
        let caller = try RequestIdentity.required()
        let narrowings = try await workflows.access.narrowings(for: caller.scope)
        let visible = workflows.engine.catalogue.sortedWorkflows.filter { caller.mayRun($0, narrowings: narrowings) }
        return .ok(
            .init(
                body: .json(
                    try visible.map { try .init($0, access: Self.access(to: $0, narrowings, for: caller)) })))
    }

    func getWorkflow(_ input: Operations.GetWorkflow.Input) async throws -> Operations.GetWorkflow.Output {
        let caller = try RequestIdentity.required()
        let narrowings = try await workflows.access.narrowings(for: caller.scope)
        guard let entry = workflows.engine.catalogue.workflows[input.path.name],
            caller.mayRun(entry, narrowings: narrowings)
        else {
            throw Problem.notFound("No workflow is named \(input.path.name).")
        }
        return .ok(.init(body: .json(try .init(entry, access: Self.access(to: entry, narrowings, for: caller)))))
    }

    /// Who may run `entry` in the caller's organisation; nil in global scope, where narrowings do not apply.
    private static func access(to entry: WorkflowEntry, _ narrowings: WorkflowNarrowings, for caller: RequestIdentity)
        -> WorkflowAccess?
    {
        caller.scope.organizationID == nil ? nil : narrowings.access(to: entry)
    }

    func getDataProviderOptions(_ input: Operations.GetDataProviderOptions.Input) async throws
        -> Operations.GetDataProviderOptions.Output
    {
        let caller = try RequestIdentity.required()
        guard let provider = workflows.engine.catalogue.dataProviders[input.path.name],
            caller.mayRead(dataProvider: input.path.name, in: workflows.engine.catalogue)
        else {
            throw Problem.notFound("No data provider is named \(input.path.name).")
        }
        let organizationName = try await workflows.engine.organizationNames.name(of: caller.scope.organizationID)
        let details = caller.caller
        let context = ExecutionContext(
            orgID: details.organizationID, orgName: organizationName, userID: details.userID, email: details.email,
            name: details.name, executionID: UUID(), isPlatformAdmin: details.isPlatformAdmin, logger: logger
        )
        let options = try await workflows.dataProviders.options(of: provider, context: context)
        return .ok(
            .init(
                body: .json(
                    try options.map {
                        Components.Schemas.DataProviderOption(
                            label: $0.label, value: try JSONBridge.container($0.value))
                    })))
    }
}

extension Components.Schemas.WorkflowDescription {
    /// - Parameter access: who may run it in the caller's organisation; nil in global scope.
    init(_ entry: WorkflowEntry, access: BifrostRuntime.WorkflowAccess?) throws {
        let configuration = entry.configuration
        self.init(
            name: configuration.name, description: configuration.description, category: configuration.category,
            tags: configuration.tags, executionMode: .init(rawValue: configuration.executionMode.rawValue) ?? .sync,
            timeoutSeconds: Int(configuration.timeout.components.seconds), schedule: configuration.schedule,
            requiresOrg: configuration.requiresOrganization, exposeInForms: configuration.exposeInForms,
            endpointEnabled: configuration.isEndpointEnabled,
            allowedMethods: configuration.endpointMethods.map { $0.sorted().map(\.rawValue) },
            roles: configuration.roles.sorted(), allowedRoles: access?.effective?.sorted(),
            parameters: try entry.parameters.map(Components.Schemas.WorkflowParameter.init)
        )
    }
}

extension Components.Schemas.WorkflowParameter {
    init(_ parameter: ParameterDeclaration) throws {
        var validation = Components.Schemas.ParameterValidation()
        for rule in parameter.validations {
            switch rule {
            case .minLength(let length): validation.minLength = length
            case .maxLength(let length): validation.maxLength = length
            case .pattern(let pattern): validation.pattern = pattern
            case .min(let bound): validation.min = bound
            case .max(let bound): validation.max = bound
            case .oneOf(let values): validation._enum = try values.map(JSONBridge.container)
            }
        }
        self.init(
            name: parameter.name, _type: .init(rawValue: parameter.kind.rawValue) ?? .json,
            label: parameter.displayLabel,
            required: parameter.isRequired,
            defaultValue: try parameter.defaultValue.map(JSONBridge.container),
            helpText: parameter.help, validation: parameter.validations.isEmpty ? nil : validation,
            dataProvider: parameter.dataProvider
        )
    }
}

extension APIService {
    func getGeneratedOpenAPIDocument(_ input: Operations.GetGeneratedOpenAPIDocument.Input) async throws
        -> Operations.GetGeneratedOpenAPIDocument.Output
    {
        let caller = try RequestIdentity.required()
        let narrowings = try await workflows.access.narrowings(for: caller.scope)
        let document = WorkflowDocument.build(workflows.engine.catalogue.sortedWorkflows) {
            caller.mayRun($0, narrowings: narrowings)
        }
        return .ok(.init(body: .json(try JSONBridge.objectContainer(document))))
    }
}
