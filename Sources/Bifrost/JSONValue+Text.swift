extension JSONValue {
    /// The value as compact JSON text (object keys in no particular order).
    ///
    /// Written directly (`JSONTextWriter`) rather than through `JSONEncoder`, which is several times slower for
    /// this one type; the engine writes every run's input and result this way. Non-finite numbers, which JSON
    /// cannot express, are written as `null`.
    public var jsonText: String { text(replacingNUL: false) }

    /// The value as compact JSON text that PostgreSQL can store as `jsonb` or `text`: as `jsonText`, but every
    /// U+0000 (which PostgreSQL cannot store) in a string or key is written as U+FFFD. What a workflow produces
    /// (results, errors, log lines) is written this way, so that a run's record can always be written.
    public var storableJSONText: String { text(replacingNUL: true) }

    private func text(replacingNUL: Bool) -> String {
        var writer = JSONTextWriter(replacingNUL: replacingNUL)
        writer.value(self)
        return writer.text
    }
}
