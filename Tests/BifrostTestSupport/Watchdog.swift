import BifrostStore
import Foundation

/// Cleans up after a test process that has no global tear-down hook.
public enum Watchdog {
    /// Starts a detached shell that waits for `pid` to exit, then stops the cluster in `dataDirectory`
    /// (immediate mode: it is throwaway) and deletes the folder.
    public static func stopClusterAfterExit(of pid: Int32, dataDirectory: String) {
        let pgctl =
            ["/usr/local/bin/pg_ctl", "/usr/bin/pg_ctl"].first(where: FileManager.default.isExecutableFile)
            ?? (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?
            .sorted().last.map { "/usr/lib/postgresql/\($0)/bin/pg_ctl" } ?? "pg_ctl"
        let asOwner = getuid() == 0 ? "runuser -u postgres -- " : ""
        let data = dataDirectory + "/postgres/data"
        let script = """
            while kill -0 \(pid) 2>/dev/null; do sleep 0.5; done
            \(asOwner)'\(pgctl)' stop -D '\(data)' -m immediate -w >/dev/null 2>&1
            rm -rf '\(dataDirectory)'
            """
        // Detached and holding no descriptor of ours, so it never keeps a pipe of this process open.
        ChildProcess(executable: "/bin/sh", arguments: ["-c", script]).launchDetached()
    }
}
