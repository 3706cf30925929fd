import Bifrost
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import OpenAPIRuntime

/// What the workflow and execution handlers use, built once per application.
struct WorkflowServices: Sendable {
    let engine: ExecutionEngine
    /// Fired cron slots, for `GET /api/schedules`.
    let schedules: PostgresScheduleRepository
    let dataProviders = DataProviderCache()
    /// Live-update streams open in this process (Server-Sent Events here, WebSockets in `ExecutionSocket`).
    let streams: StreamSlots
    /// Recorded runs, as the API lists, reads and watches them.
    let executions: PostgresExecutionRepository
    /// Each organisation's narrowings of role-limited workflows, for deciding who may see and run what.
    let access: WorkflowAccessCache
}

/// Conversions between the engine's `JSONValue` and the generated code's free-form JSON containers, value by
/// value (no encoding to text and back).
enum JSONBridge {
    static func jsonValue(_ value: (any Sendable)?) -> JSONValue {
        switch value {
        case let bool as Bool: .bool(bool)
        case let int as Int: .int(int)
        case let double as Double: .double(double)
        case let string as String: .string(string)
        case let array as [(any Sendable)?]: .array(array.map(jsonValue))
        case let object as [String: (any Sendable)?]: .object(object.mapValues(jsonValue))
        default: .null
        }
    }

    static func container(_ value: JSONValue) throws -> OpenAPIValueContainer {
        try OpenAPIValueContainer(unvalidatedValue: sendable(value))
    }

    private static func sendable(_ value: JSONValue) -> (any Sendable)? {
        switch value {
        case .null: nil
        case .bool(let bool): bool
        case .int(let int): int
        case .double(let double): double
        case .string(let string): string
        case .array(let array): array.map(sendable)
        case .object(let object): object.mapValues(sendable)
        }
    }

    static func objectContainer(_ value: JSONValue) throws -> OpenAPIObjectContainer {
        try OpenAPIObjectContainer(unvalidatedValue: value.objectValue?.mapValues(sendable) ?? [:])
    }
}
