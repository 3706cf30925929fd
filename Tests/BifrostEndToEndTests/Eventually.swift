/// Checks `check` every 50 ms until it holds or `limit` passes: for what reaches a replica through PostgreSQL's
/// notifications, or a worker through the queue. - Returns: whether it held.
func eventually(within limit: Duration = .seconds(30), _ check: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await check() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await check()
}
