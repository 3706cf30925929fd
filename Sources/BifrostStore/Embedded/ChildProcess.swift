import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a program to completion and captures what it printed, through swift-subprocess.
///
/// Used for the PostgreSQL tools (`initdb`, `pg_ctl`) and for `runuser`/`setfacl` when the gateway runs as root.
/// The child inherits nothing but its three standard descriptors (swift-subprocess closes the rest in the child):
/// a daemon it starts (`postgres`, via `pg_ctl`) must not keep an output pipe of ours open, or whoever reads that
/// pipe would wait for an end of output that never comes.
package struct ChildProcess: Sendable {
    /// What a finished program left behind.
    package struct Outcome: Sendable {
        /// Exit status (128 + the signal number when it was killed).
        package var status: Int32
        /// Everything it wrote to standard output and standard error, interleaved.
        package var output: String
        /// Whether it exited with status 0.
        package var succeeded: Bool { status == 0 }
    }

    /// The program could not be started.
    package struct LaunchFailure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The most output kept: the tools print a few lines; a runaway program cannot fill the memory.
    static let outputLimit = 4 << 20

    /// Absolute path of the program.
    package var executable: String
    /// Its arguments, without the program name.
    package var arguments: [String]

    package init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Runs the program in a session of its own and waits for it to exit (without blocking the cooperative pool).
    /// - Throws: `LaunchFailure` when the program cannot be started at all.
    package func run() async throws -> Outcome {
        do {
            let result = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments), platformOptions: Self.ownSession,
                input: .none, output: .string(limit: Self.outputLimit), error: .combinedWithOutput
            )
            let status: Int32 =
                switch result.terminationStatus {
                case .exited(let code): code
                case .signaled(let signal): 128 + signal
                }
            return Outcome(status: status, output: result.standardOutput ?? "")
        } catch {
            throw LaunchFailure(description: "\(executable): \(error)")
        }
    }

    /// Starts the program in a session of its own, with no descriptor of ours, and does not wait for it: it goes
    /// on after this process exits.
    package func launchDetached() {
        let (executable, arguments) = (executable, arguments)
        // Unstructured: the program outlives whoever started it; the task ends when the program does.
        Task.detached {
            _ = try? await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments), platformOptions: Self.ownSession,
                input: .none, output: .discarded, error: .discarded
            )
        }
    }

    private static var ownSession: PlatformOptions {
        var options = PlatformOptions()
        options.createSession = true
        return options
    }

    /// Finds a program by name on `PATH` and in the given extra folders.
    package static func locate(_ name: String, extraDirectories: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + extraDirectories + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
