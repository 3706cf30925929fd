/// A file path as runs and admins give it: relative, `/` between folders, and nothing that could name anything
/// outside the scope's files or be read two ways — no `..` or `.` segment, no leading `/`, no empty segment, no
/// backslash, NUL or other control character, at most 1,024 bytes.
public struct StoredFilePath: Sendable, Hashable, CustomStringConvertible {
    /// Why a path was refused.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public let path: String
        public let reason: String

        public var description: String { "\"\(Self.printable(path))\" is not a valid file path: \(reason)" }

        /// The path with control characters escaped, so an error message cannot forge log lines.
        private static func printable(_ path: String) -> String {
            String(path.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
        }
    }

    /// The path, as stored.
    public let text: String

    public var description: String { text }

    /// - Throws: `Refusal` naming what is wrong.
    public init(_ text: String) throws {
        func refuse(_ reason: String) -> Refusal { Refusal(path: text, reason: reason) }
        guard !text.isEmpty else { throw refuse("it is empty") }
        guard text.utf8.count <= 1_024 else { throw refuse("it is longer than 1024 bytes") }
        guard !text.hasPrefix("/") else { throw refuse("it must be relative, not start with '/'") }
        for scalar in text.unicodeScalars {
            if scalar == "\\" { throw refuse("it contains a backslash; separate folders with '/'") }
            if scalar.value < 0x20 || scalar.value == 0x7f { throw refuse("it contains a control character") }
        }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw refuse("it has an empty segment ('//' or a trailing '/')") }
            if segment == "." || segment == ".." { throw refuse("it has a '\(segment)' segment") }
        }
        self.text = text
    }
}
