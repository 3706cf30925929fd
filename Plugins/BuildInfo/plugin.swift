import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` with the commit the package was built from, for `bifrost --version`.
///
/// The plugin reads the commit from `.git` each time the build is planned; the command that writes the file
/// takes it as an argument, so the file is written again exactly when the commit changes.
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildCommit.swift")
        let commit = Self.commit(in: context.package.directoryURL) ?? "unknown"
        let source = """
            // Written by the BuildInfo plugin.
            enum BuildCommit {
                /// The commit this binary was built from ("unknown" outside a git checkout).
                static let hash = "\(commit)"
            }
            """
        return [
            .buildCommand(
                displayName: "Stamping the build with commit \(commit.prefix(12))",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", #"printf '%s\n' "$1" > "$2""#, "sh", source, output.path],
                outputFiles: [output]
            )
        ]
    }

    /// The commit `HEAD` names, read from the repository's files (no `git` needed).
    static func commit(in directory: URL) -> String? {
        let git = directory.appending(path: ".git")
        guard let head = try? String(contentsOf: git.appending(path: "HEAD"), encoding: .utf8) else { return nil }
        let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("ref: ") else { return isHash(trimmed) ? trimmed : nil }
        let reference = String(trimmed.dropFirst(5))
        if let loose = try? String(contentsOf: git.appending(path: reference), encoding: .utf8) {
            let hash = loose.trimmingCharacters(in: .whitespacesAndNewlines)
            return isHash(hash) ? hash : nil
        }
        guard let packed = try? String(contentsOf: git.appending(path: "packed-refs"), encoding: .utf8) else {
            return nil
        }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + reference) {
            let hash = String(line.prefix { $0 != " " })
            return isHash(hash) ? hash : nil
        }
        return nil
    }

    static func isHash(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy(\.isHexDigit)
    }
}
