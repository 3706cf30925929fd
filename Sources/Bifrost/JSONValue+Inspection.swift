extension JSONValue {
    /// The dotted paths (`items.2`, `address.city`) under `path` of every string or object key that holds U+0000,
    /// which PostgreSQL cannot store in `text` or `jsonb`; input holding one is refused at the boundary.
    public func pathsHoldingNUL(under path: String) -> [String] {
        var found: [String] = []
        collectNULPaths(under: path, into: &found)
        return found
    }

    private func collectNULPaths(under path: String, into found: inout [String]) {
        switch self {
        case .string(let text):
            if text.utf8.contains(0) { found.append(path) }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                element.collectNULPaths(under: path + "." + String(index), into: &found)
            }
        case .object(let members):
            for (key, member) in members {
                if key.utf8.contains(0) {
                    found.append(path + "." + key)
                } else {
                    member.collectNULPaths(under: path + "." + key, into: &found)
                }
            }
        case .null, .bool, .int, .double:
            break
        }
    }
}

extension JSONValue {
    /// How deeply arrays and objects nest (0 for a scalar); counted without recursion, so any value can be measured.
    public var depth: Int {
        var deepest = 0
        var pending: [(JSONValue, Int)] = [(self, 0)]
        while let (value, level) = pending.popLast() {
            deepest = max(deepest, level)
            switch value {
            case .array(let elements): pending += elements.map { ($0, level + 1) }
            case .object(let members): pending += members.values.map { ($0, level + 1) }
            default: break
            }
        }
        return deepest
    }
}
