import Foundation

/// An `application/x-www-form-urlencoded` body, as the fake providers' token endpoints receive it.
enum FormBody {
    /// The body's fields by name (`+` as a space, percent-escapes decoded; a name without `=` is left out).
    static func fields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
}
