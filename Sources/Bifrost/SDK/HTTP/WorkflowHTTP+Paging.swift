public import Foundation

extension WorkflowHTTP {
    /// The pages of an OData list (Microsoft Graph's), fetched one at a time as they are read: the first from
    /// `url`, each next one from the page's `@odata.nextLink`, with the same authorization. The token of an
    /// `.oauth` authorization goes only to its provider's API addresses, wherever a next link points.
    ///
    /// ```swift
    /// for try await page in context.http.pages(of: User.self, from: url, authorization: .oauth("microsoft")) {
    ///     …
    /// }
    /// ```
    /// - Parameter maximumPages: the most pages read; the stream fails when the list has more.
    /// - Returns: the pages' items; the stream throws what `get(_:as:authorization:timeout:)` throws, and
    ///   `OutboundHTTPError` (`.tooManyPages`) past `maximumPages`.
    public func pages<Item: Decodable & Sendable>(
        of type: Item.Type, from url: URL, authorization: OutboundAuthorization? = nil, maximumPages: Int = 100
    ) -> AsyncThrowingStream<[Item], any Error> {
        let cursor = PageCursor(next: url)
        return AsyncThrowingStream {
            guard let next = cursor.take() else { return nil }
            guard cursor.count < maximumPages else {
                throw OutboundHTTPError(method: .get, url: next, reason: .tooManyPages(limit: maximumPages))
            }
            let page = try await get(next, as: ODataPage<Item>.self, authorization: authorization)
            cursor.advance(to: page.nextLink)
            return page.value
        }
    }

    /// Every item of an OData list, its pages' `value`s in order (see `pages(of:from:authorization:maximumPages:)`).
    /// - Throws: what `pages` throws; nothing is returned when a page fails.
    public func collectPages<Item: Decodable & Sendable>(
        _ url: URL, of type: Item.Type, authorization: OutboundAuthorization? = nil, maximumPages: Int = 100
    ) async throws -> [Item] {
        var items: [Item] = []
        for try await page in pages(of: type, from: url, authorization: authorization, maximumPages: maximumPages) {
            items += page
        }
        return items
    }
}
