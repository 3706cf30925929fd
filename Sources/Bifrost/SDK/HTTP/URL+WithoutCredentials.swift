package import Foundation

extension URL {
    /// The URL as logs and errors may show it: scheme, host, port and path, with the query's names but not their
    /// values (`?$select&$top`), and no user name, password or fragment, where credentials could hide.
    package var withoutCredentials: String {
        guard var parts = URLComponents(url: self, resolvingAgainstBaseURL: false), parts.host != nil else {
            return "(an address without a host)"
        }
        parts.user = nil
        parts.password = nil
        parts.fragment = nil
        let names = parts.queryItems?.map(\.name) ?? []
        parts.query = nil
        let query = names.isEmpty ? "" : "?" + names.joined(separator: "&")
        return (parts.string ?? "(an address)") + query
    }
}
