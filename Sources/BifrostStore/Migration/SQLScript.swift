/// Splits a SQL file into statements, since PostgreSQL's extended protocol takes one statement at a time.
///
/// A `;` ends a statement unless it stands inside a quoted string, a quoted identifier, a dollar-quoted body
/// (`$$ … $$`, `$tag$ … $tag$`) or a comment. Statements that are empty or only comments are dropped.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        let characters = Array(script)
        var statements: [String] = []
        var current = ""
        var hasCode = false
        var index = 0

        func take(until end: Int) {
            current += String(characters[index..<end])
            index = end
        }

        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                let end = characters[index...].firstIndex(of: "\n") ?? characters.count
                take(until: end)
            case "/" where next == "*":
                var end = index + 2
                while end + 1 < characters.count, !(characters[end] == "*" && characters[end + 1] == "/") { end += 1 }
                take(until: min(end + 2, characters.count))
            case "'", "\"":
                var end = index + 1
                while end < characters.count {
                    if characters[end] == character {
                        // A doubled quote is an escaped quote, not the end.
                        if end + 1 < characters.count, characters[end + 1] == character { end += 2; continue }
                        break
                    }
                    end += 1
                }
                hasCode = true
                take(until: min(end + 1, characters.count))
            case "$":
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    var end = tagEnd + 1
                    while end < characters.count, !characters[end...].starts(with: tag) { end += 1 }
                    hasCode = true
                    take(until: min(end + tag.count, characters.count))
                } else {
                    hasCode = true
                    take(until: index + 1)
                }
            case ";":
                if hasCode { statements.append(current.trimmingWhitespace()) }
                current = ""
                hasCode = false
                index += 1
            default:
                if !character.isWhitespace { hasCode = true }
                take(until: index + 1)
            }
        }
        if hasCode { statements.append(current.trimmingWhitespace()) }
        return statements
    }

    /// The index of the closing `$` of a dollar-quote tag starting at `start`, if one starts there.
    private static func dollarTagEnd(_ characters: [Character], from start: Int) -> Int? {
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "$" { return index }
            guard character.isLetter || character == "_" || (character.isNumber && index > start + 1) else {
                return nil
            }
            index += 1
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
