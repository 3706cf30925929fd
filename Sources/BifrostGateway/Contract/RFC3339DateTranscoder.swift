import FoundationEssentials
import OpenAPIRuntime

/// Dates of the admin API as RFC 3339 text in UTC, whole seconds (`2026-12-03T15:04:05Z`), through
/// FoundationEssentials' `Date.ISO8601FormatStyle`.
///
/// OpenAPIRuntime's default transcoder formats through Foundation's `ISO8601DateFormatter`, which on Linux loads
/// ICU's time-zone name tables on first use: about 5 MiB of the process's resident memory for one answer that
/// holds a date. The text is the same, in both directions.
struct RFC3339DateTranscoder: DateTranscoder {
    private let style = Date.ISO8601FormatStyle()

    func encode(_ date: Date) throws -> String { style.format(date) }

    /// - Throws: `DecodingError.dataCorrupted`, as the default transcoder does, which the API answers with 400.
    func decode(_ text: String) throws -> Date {
        guard let date = try? style.parse(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time such as 2026-12-03T15:04:05Z."))
        }
        return date
    }
}
