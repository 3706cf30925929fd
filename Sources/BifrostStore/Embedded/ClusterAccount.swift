import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The operating-system account that owns and runs the embedded PostgreSQL cluster.
///
/// PostgreSQL refuses to run as root. When the gateway is root, the cluster belongs to an unprivileged account
/// (`postgres` by default) and every PostgreSQL tool is started through `runuser`. Otherwise the cluster belongs
/// to the current user and the tools run directly.
package struct ClusterAccount: Sendable {
    /// Account name, for messages.
    package var name: String
    /// Numeric user id.
    package var uid: UInt32
    /// Numeric primary group id.
    package var gid: UInt32
    /// Whether the tools must be started through `runuser` (the gateway is root).
    package var switchesUser: Bool

    /// The account for this process: itself, or `unprivilegedName` when running as root.
    /// - Throws: `EmbeddedPostgresError.accountMissing` when root and that account does not exist.
    package static func current(unprivilegedName: String) throws -> ClusterAccount {
        let uid = geteuid()
        guard uid == 0 else {
            let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(uid)"
            return ClusterAccount(name: name, uid: uid, gid: getegid(), switchesUser: false)
        }
        guard let entry = getpwnam(unprivilegedName) else {
            throw EmbeddedPostgresError.accountMissing(unprivilegedName)
        }
        return ClusterAccount(
            name: unprivilegedName, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid, switchesUser: true
        )
    }

    /// A child process that runs `executable` as this account.
    package func command(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        guard switchesUser else { return ChildProcess(executable: executable, arguments: arguments) }
        guard let runuser = ChildProcess.locate("runuser") else {
            throw EmbeddedPostgresError.toolMissing("runuser")
        }
        return ChildProcess(executable: runuser, arguments: ["-u", name, "--", executable] + arguments)
    }

    /// Makes `directory` and every folder above it traversable by this account.
    ///
    /// A folder this account cannot enter (for example `/root`, mode 700) is given an access-control entry that
    /// lets this account, and only it, pass through (`setfacl -m u:NAME:x`); nothing becomes readable.
    /// - Throws: `EmbeddedPostgresError.unreachable` naming the folder and what to do about it.
    package func makeReachable(_ directory: String) async throws {
        guard switchesUser else { return }
        if try await canEnter(directory) { return }
        var ancestors: [String] = []
        var current = URL(fileURLWithPath: directory).standardizedFileURL
        while current.path != "/" {
            ancestors.append(current.path)
            current = current.deletingLastPathComponent()
        }
        ancestors.append("/")
        for folder in ancestors.reversed() where !(try await canEnter(folder)) {
            try await grantTraverse(folder)
        }
    }

    private func canEnter(_ folder: String) async throws -> Bool {
        try await command("/usr/bin/test", ["-x", folder]).run().succeeded
    }

    private func grantTraverse(_ folder: String) async throws {
        guard let setfacl = ChildProcess.locate("setfacl") else {
            throw EmbeddedPostgresError.unreachable(folder: folder, account: name, reason: "setfacl is not installed")
        }
        let outcome = try await ChildProcess(executable: setfacl, arguments: ["-m", "u:\(name):x", folder]).run()
        guard outcome.succeeded, try await canEnter(folder) else {
            let reason = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw EmbeddedPostgresError.unreachable(
                folder: folder, account: name, reason: reason.isEmpty ? "the access entry had no effect" : reason
            )
        }
    }

    /// Gives `path` to this account with the given mode.
    package func own(_ path: String, mode: UInt32) throws {
        if switchesUser, chown(path, uid, gid) != 0 {
            throw EmbeddedPostgresError.filesystem(path: path, reason: String(cString: strerror(errno)))
        }
        if chmod(path, mode_t(mode)) != 0 {
            throw EmbeddedPostgresError.filesystem(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
