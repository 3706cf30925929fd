/// The tokens of Swift source that matter for finding type declarations: identifiers, keywords and punctuation,
/// with comments and string literals removed.
struct SwiftTokens {
    struct Token: Equatable {
        var text: String
        var line: Int
    }

    private(set) var tokens: [Token] = []

    init(_ source: String) {
        let characters = Array(source.unicodeScalars)
        var index = 0
        var line = 1
        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < characters.count ? characters[index + offset] : nil
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\n" {
                line += 1
                index += 1
            } else if character == "/", peek(1) == "/" {
                while index < characters.count, characters[index] != "\n" { index += 1 }
            } else if character == "/", peek(1) == "*" {
                var depth = 0
                repeat {
                    if peek() == "/", peek(1) == "*" {
                        depth += 1
                        index += 2
                    } else if peek() == "*", peek(1) == "/" {
                        depth -= 1
                        index += 2
                    } else {
                        if peek() == "\n" { line += 1 }
                        index += 1
                    }
                } while depth > 0 && index < characters.count
            } else if character == "\"" || (character == "#" && (peek(1) == "\"" || peek(1) == "#")) {
                skipString(characters, &index, &line)
            } else if character.properties.isXIDStart || character == "_" || character == "`" {
                var text = ""
                if character == "`" { index += 1 }
                while index < characters.count,
                    characters[index].properties.isXIDContinue || characters[index] == "_"
                {
                    text.unicodeScalars.append(characters[index])
                    index += 1
                }
                if peek() == "`" { index += 1 }
                tokens.append(Token(text: text, line: line))
            } else if character.properties.isWhitespace {
                index += 1
            } else {
                tokens.append(Token(text: String(character), line: line))
                index += 1
            }
        }
    }

    /// Skips a string literal starting at `index` (plain, multi-line, raw with `#`, with interpolations).
    private func skipString(_ characters: [Unicode.Scalar], _ index: inout Int, _ line: inout Int) {
        var hashes = 0
        while index < characters.count, characters[index] == "#" {
            hashes += 1
            index += 1
        }
        guard index < characters.count, characters[index] == "\"" else { return }
        var quotes = 0
        while index < characters.count, characters[index] == "\"", quotes < 3 {
            quotes += 1
            index += 1
        }
        if quotes == 2 { return }  // ""
        let closing = String(repeating: "\"", count: quotes) + String(repeating: "#", count: hashes)
        let closingScalars = Array(closing.unicodeScalars)
        while index < characters.count {
            let character = characters[index]
            if character == "\n" { line += 1 }
            if character == "\\", hashes == 0 {
                index += 2
                continue
            }
            if index + closingScalars.count <= characters.count,
                Array(characters[index..<index + closingScalars.count]) == closingScalars
            {
                index += closingScalars.count
                return
            }
            index += 1
        }
    }
}
