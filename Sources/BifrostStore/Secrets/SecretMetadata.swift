public import Foundation

/// A secret as listings show it: never its value.
public struct SecretMetadata: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var createdAt: Date
    public var createdBy: String
    public var updatedAt: Date
    public var updatedBy: String
}
