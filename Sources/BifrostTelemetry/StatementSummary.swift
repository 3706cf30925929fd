/// What a SQL statement's span is named after: its operation and the first table it names, never its values.
///
/// `SELECT … FROM executions WHERE …` is `SELECT executions`; `WITH claimed AS (UPDATE jobs …) …` is
/// `UPDATE jobs`, the statement inside a leading `WITH` being what the statement does. Only the statement's text is
/// read, and the text of our statements is written by us: values travel as bind parameters.
public struct StatementSummary: Sendable, Equatable {
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, or the first word otherwise (`LISTEN`, `BEGIN`…).
    public var operation: String
    /// The first table the statement reads or writes, nil when none is found.
    public var table: String?

    /// The span's name: `SELECT executions`.
    public var spanName: String { table.map { "\(operation) \($0)" } ?? operation }

    public init(sql: String) {
        let words = StatementSummary.words(of: sql)
        var index = 0
        var operation = words.first?.uppercased() ?? "SQL"
        if operation == "WITH" {
            // The first data-changing statement inside the CTEs, else the final SELECT.
            if let found = words.firstIndex(where: { ["INSERT", "UPDATE", "DELETE"].contains($0.uppercased()) }) {
                index = found
            } else if let found = words.lastIndex(where: { $0.uppercased() == "SELECT" }) {
                index = found
            }
            operation = words.indices.contains(index) ? words[index].uppercased() : "WITH"
        }
        self.operation = operation
        let marker: Set<String> =
            switch operation {
            case "INSERT": ["INTO"]
            case "UPDATE": ["UPDATE"]
            case "DELETE", "SELECT": ["FROM"]
            default: []
            }
        table = nil
        if !marker.isEmpty {
            var cursor = index
            while cursor < words.count - 1 {
                if marker.contains(words[cursor].uppercased()) {
                    let candidate = words[cursor + 1]
                    if candidate.first != "(" && candidate.uppercased() != "ONLY" {
                        table = candidate
                        break
                    }
                }
                cursor += 1
            }
        }
    }

    /// Identifier-like words and parentheses, lower-cased quotes removed; enough to find keywords and names.
    private static func words(of sql: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in sql.prefix(2_000) {
            if character.isLetter || character.isNumber || character == "_" || character == "." {
                current.append(character)
            } else {
                if !current.isEmpty {
                    words.append(current)
                    current = ""
                }
                if character == "(" { words.append("(") }
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
