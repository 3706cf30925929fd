import Foundation

/// The settings of `docs/configuration.md` (built into the binary), for `serve --help` and for telling a
/// mistyped flag from a setting. The table there is checked against the keys the code reads by
/// `ConfigurationTests`, so what help shows is what the gateway reads.
struct SettingsTable: Sendable {
    /// One row of the table.
    struct Setting: Sendable, Hashable {
        var key: String
        var environmentVariable: String
        /// `--http-port`; nil for settings that have no flag (environment only).
        var flag: String?
        var defaultValue: String
        var meaning: String
    }

    let settings: [Setting]

    /// The table built into this binary.
    static let builtIn = SettingsTable(markdown: String(decoding: PackageResources.configuration_md, as: UTF8.self))

    init(markdown: String) {
        settings = markdown.split(separator: "\n").compactMap { line -> Setting? in
            guard line.hasPrefix("| `") else { return nil }
            let cells = Self.cells(of: String(line))
            guard cells.count >= 5 else { return nil }
            let flag = cells[2].hasPrefix("--") ? cells[2] : nil
            return Setting(
                key: cells[0], environmentVariable: cells[1], flag: flag, defaultValue: cells[3],
                meaning: cells[4...].joined(separator: "|"))
        }
    }

    /// A row's cells without their backquotes; `\|` inside a cell is a literal bar.
    private static func cells(of line: String) -> [String] {
        let protected = line.replacingOccurrences(of: "\\|", with: "\u{1}")
        return protected.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map {
            $0.replacingOccurrences(of: "\u{1}", with: "|").replacingOccurrences(of: "`", with: "")
                .trimmingCharacters(in: .whitespaces)
        }
    }

    /// Every setting, each with its flag, environment variable, default and meaning: the end of `serve --help`.
    var helpText: String {
        var text = "SETTINGS (flag, environment variable, default; flags beat the environment, which beats the file):\n"
        for setting in settings {
            text +=
                "  \(setting.flag ?? "(no flag)")  \(setting.environmentVariable)  default: \(setting.defaultValue)\n"
            text += "      \(setting.meaning)\n"
        }
        return text
    }

    /// Whether `flag` (`--http-port`, or `--oidc-corp-issuer` for a `<name>` pattern) names a setting.
    func knows(_ flag: String) -> Bool {
        settings.contains { setting in
            guard let pattern = setting.flag else { return false }
            guard let hole = pattern.range(of: "<name>") else { return pattern == flag }
            let prefix = pattern[..<hole.lowerBound]
            let suffix = pattern[hole.upperBound...]
            guard flag.hasPrefix(prefix), flag.hasSuffix(suffix), flag.count > prefix.count + suffix.count else {
                return false
            }
            let name = flag.dropFirst(prefix.count).dropLast(suffix.count)
            return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        }
    }

    /// The known flag closest to `flag` by edit distance, if one is close enough to be a likely typo.
    func closest(to flag: String) -> String? {
        let candidates = settings.compactMap(\.flag).filter { !$0.contains("<") }
        let scored = candidates.map { ($0, Self.distance($0, flag)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, flag.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance between two short strings.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
