/// Why the embedded development database could not be prepared, started or stopped.
///
/// Each case's description says what went wrong and what the operator can do about it.
public enum EmbeddedPostgresError: Error, CustomStringConvertible {
    case accountMissing(String)
    case toolMissing(String)
    case unreachable(folder: String, account: String, reason: String)
    case filesystem(path: String, reason: String)
    case commandFailed(command: String, output: String)
    case noFreePort

    public var description: String {
        switch self {
        case .accountMissing(let name):
            return "PostgreSQL refuses to run as root and the account '\(name)' does not exist: "
                + "install the postgresql package (it creates that account) or set BIFROST_DATABASE_URL."
        case .toolMissing(let tool):
            return "'\(tool)' was not found: install PostgreSQL (apt-get install postgresql) "
                + "or set database.embedded.binDirectory."
        case .unreachable(let folder, let account, let reason):
            return "PostgreSQL runs as '\(account)', who cannot enter \(folder) (\(reason)). "
                + "Run `setfacl -m u:\(account):x \(folder)` (apt-get install acl), or `chmod o+x \(folder)`, "
                + "or set BIFROST_DATA_DIRECTORY to a folder '\(account)' can reach, such as /var/lib/bifrost."
        case .filesystem(let path, let reason):
            return "cannot prepare \(path): \(reason)"
        case .commandFailed(let command, let output):
            return "\(command) failed:\n\(output)"
        case .noFreePort:
            return "no free TCP port on 127.0.0.1 for the embedded database"
        }
    }
}
