extension Duration {
    /// The duration in seconds, with its fraction.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Whole seconds, rounded up and at least one: the form of `Retry-After` and `RateLimit-Reset`.
    package var wholeSecondsRoundedUp: Int {
        max(1, Int(inSeconds.rounded(.up)))
    }
}
