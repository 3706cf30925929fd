import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion and captures what it printed.
///
/// Used for the PostgreSQL tools (`initdb`, `pg_ctl`) and for `runuser`/`setfacl` when the gateway runs as root.
/// Built on `posix_spawn` and `waitpid` directly: Foundation's `Process` can miss the exit of a child whose
/// own child (a daemonised `postgres`) outlives it.
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

    /// Absolute path of the program.
    package var executable: String
    /// Its arguments, without the program name.
    package var arguments: [String]

    package init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Runs the program and waits for it to exit, on a thread of its own (never blocking the cooperative pool).
    /// - Throws: `LaunchFailure` when the program cannot be started at all.
    package func run() async throws -> Outcome {
        let executable = self.executable
        let arguments = self.arguments
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.runBlocking(executable: executable, arguments: arguments) })
            }
        }
    }

    private static func runBlocking(executable: String, arguments: [String]) throws -> Outcome {
        var pipe: [Int32] = [0, 0]
        guard Glibc.pipe(&pipe) == 0 else { throw LaunchFailure(description: "pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (pipe[0], pipe[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            throw LaunchFailure(description: "\(executable): \(String(cString: strerror(spawned)))")
        }

        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[0..<count])
            } else if count < 0, errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(readEnd)

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let exited = status & 0x7F == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Outcome(status: code, output: String(decoding: output, as: UTF8.self))
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
