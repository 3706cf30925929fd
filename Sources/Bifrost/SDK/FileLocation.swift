/// Where a run's file lives: the organisation's `workspace` (kept) or the run's own `temp` space (removed when
/// the run ends).
public enum FileLocation: String, Sendable, CaseIterable {
    /// The organisation's files, kept after the run.
    case workspace
    /// The run's own files, removed when it ends.
    case temp
}
