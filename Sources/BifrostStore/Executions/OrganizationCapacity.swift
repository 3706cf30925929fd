import Bifrost
public import Foundation

/// How many more runs a process may start per organisation: `remaining` for organisations (nil: global scope)
/// with runs in progress, `default` for the others.
public struct OrganizationCapacity: Sendable, Hashable {
    public var remaining: [UUID?: Int]
    public var `default`: Int

    public init(remaining: [UUID?: Int], default: Int) {
        self.remaining = remaining
        self.default = `default`
    }

    /// No limit per organisation.
    public static let unlimited = OrganizationCapacity(remaining: [:], default: Int(Int32.max))

    /// `remaining` as a JSON object keyed by organisation id ("" for global scope).
    var document: String {
        JSONValue.object(
            Dictionary(
                uniqueKeysWithValues: remaining.map {
                    ($0.key?.lowercasedText ?? "", JSONValue.int($0.value))
                })
        ).jsonText
    }
}
