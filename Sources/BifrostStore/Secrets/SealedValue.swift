/// A value as stored: sealed under version `version` of `owner`'s data key.
public struct SealedValue: Sendable, Hashable {
    public var owner: Scope
    public var sealed: [UInt8]
    public var version: Int
}
