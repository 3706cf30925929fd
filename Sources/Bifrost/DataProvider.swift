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
    /// The provider's name, description and cache lifetime.
    static var configuration: DataProviderConfiguration { get }
    /// An instance; the gateway makes one each time it computes the options.
    init()
    /// The options, computed in the caller's scope; cached per organisation for `cacheTTL`.
    func options(_ context: ExecutionContext) async throws -> [Option]
}

/// A data provider's name, description and cache lifetime.
public struct DataProviderConfiguration: Sendable, Hashable {
    /// Unique identifier in snake_case: what a parameter's `dataProvider` names (`/api/data-providers/{name}`).
    public var name: String
    /// What the options are.
    public var description: String
    /// How long options are reused for the same organisation.
    public var cacheTTL: Duration

    /// - Parameters:
    ///   - name: unique identifier in snake_case, which parameters name in `dataProvider`.
    ///   - description: what the options are.
    ///   - cacheTTL: how long options are reused for the same organisation (5 minutes unless given).
    public init(_ name: String, description: String, cacheTTL: Duration = .seconds(300)) {
        self.name = name
        self.description = description
        self.cacheTTL = cacheTTL
    }
}

/// One option of a data provider: `{label, value}`.
public struct Option: Sendable, Hashable, Codable {
    /// What a person sees.
    public var label: String
    /// What the parameter receives when this option is chosen.
    public var value: JSONValue

    /// An option showing `label` and giving `value`.
    public init(_ label: String, value: JSONValue) {
        self.label = label
        self.value = value
    }
}
