/// A workflow: a Swift type the gateway lists, validates input for, runs in the caller's scope and records.
///
/// Declare it with a configuration, its parameters as `@Param` properties, and `run`:
///
/// ```swift
/// struct CreateUser: Workflow {
///     static let configuration = WorkflowConfiguration("create_user", description: "Create a new user")
///     @Param(.email) var email: String
///
///     func run(_ context: ExecutionContext) async throws -> JSONValue {
///         context.logger.info("Created user: \(email)")
///         return ["user_id": "\(email)"]
///     }
/// }
/// ```
///
/// A parameter's name is its property's name in snake_case; its type is checked against the property's type when
/// the module compiles. A non-optional property is required unless it has a default; an optional one is not.
/// The engine creates the workflow with its parameters bound (through `Decodable`) for each run.
///
/// The result may be any `Encodable` value. A result whose top level has `"success": false` finishes as
/// `CompletedWithErrors`; a thrown error finishes as `Failed` with its message; a run past the timeout as `Timeout`.
public protocol Workflow: Sendable, Decodable {
    /// What the workflow produces; encoded to JSON for the execution record.
    associatedtype Output: Encodable & Sendable

    /// Name, description, mode, timeout and the rest of the `@workflow` decorator's options.
    static var configuration: WorkflowConfiguration { get }

    /// An instance with unbound parameters, from which the catalogue reads the declarations.
    init()

    /// Does the work, in the scope described by `context`.
    func run(_ context: ExecutionContext) async throws -> Output
}
