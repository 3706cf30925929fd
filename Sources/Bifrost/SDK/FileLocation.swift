/// Where a run's file lives: the organisation's `workspace` (kept) or the run's own `temp` space (removed when
/// the run ends).
public enum FileLocation: String, Sendable, CaseIterable {
    case workspace
    case temp
}
