import BifrostStore

/// Free TCP ports on 127.0.0.1 for servers a test starts.
public enum LoopbackPortForTests {
    /// A port that was free a moment ago.
    public static func free() -> Int? { LoopbackPort.free() }
}
