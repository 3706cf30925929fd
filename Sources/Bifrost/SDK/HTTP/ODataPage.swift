public import Foundation

/// One page of an OData list, as Microsoft Graph answers `GET /v1.0/users`: the items in `value`, and the next
/// page's address in `@odata.nextLink` while there is one.
public struct ODataPage<Item: Decodable & Sendable>: Decodable, Sendable {
    /// The page's items.
    public var value: [Item]
    /// Where the next page is; nil on the last.
    public var nextLink: URL?

    /// A page of `value`, followed by the one at `nextLink`.
    public init(value: [Item], nextLink: URL? = nil) {
        self.value = value
        self.nextLink = nextLink
    }

    private enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
    }
}
