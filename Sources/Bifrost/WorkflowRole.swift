/// The rule for workflow role names, the groups a workflow may be limited to (`WorkflowConfiguration.roles`) and
/// that users and API keys hold. They are not policy roles (`platform_admin`, `org_admin`, `org_member`): those
/// decide which operations a caller may call, workflow roles which workflows an organisation member may run.
public enum WorkflowRole {
    /// The pattern every name matches: 1 to 64 lower-case ASCII letters, digits, `_` or `-`.
    public static let pattern = "^[a-z0-9_-]{1,64}$"

    /// How many workflow roles one user or API key may hold.
    public static let maximumPerHolder = 32

    /// Whether `name` is a valid workflow role name (see `pattern`).
    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5F || byte == 0x2D
            }
    }
}
