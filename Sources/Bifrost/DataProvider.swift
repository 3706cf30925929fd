/// Offers the values a parameter may take (a dropdown's options): the `@data_provider` decorator.
///
/// ```swift
/// struct GetDepartments: DataProvider {
///     static let configuration = DataProviderConfiguration("get_departments", description: "List departments",
///                                                          cacheTTL: .seconds(600))
///     func options(_ context: ExecutionContext) async throws -> [Option] {
///         [Option("Engineering", value: "eng"), Option("Sales", value: "sales")]
///     }
/// }
/// ```
public protocol DataProvider: Sendable {
    static var configuration: DataProviderConfiguration { get }
    init()
    /// The options, computed in the caller's scope; cached per organisation for `cacheTTL`.
    func options(_ context: ExecutionContext) async throws -> [Option]
}

/// A data provider's name, description and cache lifetime.
public struct DataProviderConfiguration: Sendable, Hashable {
    public var name: String
    public var description: String
    /// How long options are reused for the same organisation.
    public var cacheTTL: Duration

    public init(_ name: String, description: String, cacheTTL: Duration = .seconds(300)) {
        self.name = name
        self.description = description
        self.cacheTTL = cacheTTL
    }
}

/// One option of a data provider: `{label, value}`.
public struct Option: Sendable, Hashable, Codable {
    public var label: String
    public var value: JSONValue

    public init(_ label: String, value: JSONValue) {
        self.label = label
        self.value = value
    }
}
