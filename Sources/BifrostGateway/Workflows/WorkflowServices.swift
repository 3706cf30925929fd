import Bifrost
import BifrostEngine
import BifrostStore
import Foundation

/// What the workflow and execution handlers use, built once per application.
struct WorkflowServices: Sendable {
    let engine: ExecutionEngine
    let executions: PostgresExecutionRepository
    let dataProviders = DataProviderCache()
}

/// Conversions between the engine's `JSONValue` and the generated code's free-form JSON containers.
enum JSONBridge {
    static func convert<Target: Decodable>(_ value: some Encodable, to: Target.Type) throws -> Target {
        try JSONDecoder().decode(Target.self, from: try JSONEncoder().encode(value))
    }
}
