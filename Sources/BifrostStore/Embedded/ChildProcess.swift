import CProcessSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to completion and captures what it printed.
///
/// Used for the PostgreSQL tools (`initdb`, `pg_ctl`) and for `runuser`/`setfacl` when the gateway runs as root.
/// Built on `posix_spawn` directly, so that the child inherits nothing but its three standard descriptors: a
/// daemon it starts (`postgres`, via `pg_ctl`) must not keep another thread's output pipe open, or that
/// thread would wait for an end of output that never comes.
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
        // Close-on-exec, so that programs other threads start meanwhile do not inherit this pipe.
        guard bifrost_pipe_cloexec(&pipe) == 0 else {
            throw LaunchFailure(description: "pipe: \(String(cString: strerror(errno)))")
        }
        let (readEnd, writeEnd) = (pipe[0], pipe[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        bifrost_spawn_close_from(&actions, 3)

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

    /// Starts the program in a session of its own, with no inherited descriptors, and does not wait for it.
    /// - Throws: `LaunchFailure` when the program cannot be started.
    package func launchDetached() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        bifrost_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, bifrost_spawn_setsid_flag())
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw LaunchFailure(description: "\(executable): \(String(cString: strerror(spawned)))")
        }
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
