/// One numbered SQL file that moves the schema forward.
///
/// File names read `NNNN_what_it_does.sql`; the number orders the files and is recorded once applied.
public struct Migration: Sendable, Equatable {
    /// The file's number.
    public var version: Int
    /// The file name, as shown in messages and `bifrost migrate --status`.
    public var fileName: String
    /// The file's SQL text (one or more statements).
    public var sql: String

    public init(version: Int, fileName: String, sql: String) {
        self.version = version
        self.fileName = fileName
        self.sql = sql
    }
}
