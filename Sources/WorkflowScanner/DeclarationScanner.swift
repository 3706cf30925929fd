/// Finds the types of a Swift file that conform to `Workflow` or `DataProvider` in their declaration (or in an
/// extension that adds the conformance), with the names of the types they are nested in.
///
/// What it cannot see: a conformance through a protocol that refines `Workflow`, a type declared in another
/// module, a type inside a function. Generic types are not listed (they need their parameters).
struct DeclarationScanner {
    struct Found: Equatable {
        enum Kind: Equatable {
            case workflow
            case dataProvider
        }

        var name: String
        var kind: Kind
        var line: Int
        /// Declared `private` or `fileprivate`: another file cannot name it.
        var isPrivate: Bool
    }

    static func scan(_ source: String) -> [Found] {
        let tokens = SwiftTokens(source).tokens
        var found: [Found] = []
        /// For each open brace: the type it belongs to, or nil for any other braces (functions, closures…).
        var scopes: [TypeScope?] = []
        var pendingScope: TypeScope?
        var index = 0
        while index < tokens.count {
            let token = tokens[index].text
            switch token {
            case "{":
                scopes.append(pendingScope)
                pendingScope = nil
                index += 1
                continue
            case "}":
                _ = scopes.popLast()
                index += 1
                continue
            case "struct", "class", "enum", "actor", "extension":
                let previous = index > 0 ? tokens[index - 1].text : ""
                guard previous != ".", index + 1 < tokens.count else { break }
                var cursor = index + 1
                var name = tokens[cursor].text
                cursor += 1
                // A qualified name in an extension: `extension Outer.Inner`.
                while cursor + 1 < tokens.count, tokens[cursor].text == "." {
                    name += "." + tokens[cursor + 1].text
                    cursor += 2
                }
                let enclosing = scopes.compactMap { $0 }
                let insideTypesOnly = enclosing.count == scopes.count
                let modifiers = tokens[max(0, index - 4)..<index].map(\.text)
                let scope = TypeScope(
                    name: token == "extension" ? name : (enclosing.map(\.name) + [name]).joined(separator: "."),
                    // A type nested in a generic or private one is as generic or private as it.
                    isGeneric: (cursor < tokens.count && tokens[cursor].text == "<")
                        || enclosing.contains(where: \.isGeneric),
                    isPrivate: modifiers.contains("private") || modifiers.contains("fileprivate")
                        || enclosing.contains(where: \.isPrivate)
                )
                let inheritance = Self.inheritance(tokens, from: &cursor)
                pendingScope = insideTypesOnly ? scope : nil
                if insideTypesOnly, !scope.isGeneric {
                    for (protocolName, kind) in [("Workflow", Found.Kind.workflow), ("DataProvider", .dataProvider)]
                    where inheritance.contains(protocolName) {
                        found.append(
                            Found(name: scope.name, kind: kind, line: tokens[index].line, isPrivate: scope.isPrivate))
                    }
                }
                index = cursor
                continue
            default:
                break
            }
            index += 1
        }
        return found
    }

    /// A type whose braces are open: its qualified name, and what its nested types inherit from it.
    private struct TypeScope {
        var name: String
        var isGeneric: Bool
        var isPrivate: Bool
    }

    /// The last component of each inherited name (`Bifrost.Workflow` is `Workflow`), reading from `cursor` (after
    /// the type's name) to the declaration's opening brace or `where`; `cursor` is left at that point.
    private static func inheritance(_ tokens: [SwiftTokens.Token], from cursor: inout Int) -> Set<String> {
        var names: Set<String> = []
        var angle = 0
        var sawColon = false
        var last: String?
        while cursor < tokens.count {
            let text = tokens[cursor].text
            if text == "{" || (text == "where" && angle == 0) { break }
            if text == "<" { angle += 1 }
            if text == ">" { angle -= 1 }
            if text == ":", angle == 0 { sawColon = true }
            if sawColon, angle == 0 {
                if text == "," || text == "&" {
                    if let last { names.insert(last) }
                    last = nil
                } else if text != "." && text != ":" {
                    last = text
                }
            }
            cursor += 1
        }
        if let last { names.insert(last) }
        return names
    }
}
