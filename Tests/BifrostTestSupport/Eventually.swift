/// Checks `check` every `interval` until it holds or `limit` passes: how a test waits for what reaches it through
/// PostgreSQL's notifications, a worker or another process. The limit only bounds a test that would otherwise hang:
/// it is generous because a loaded machine may take many times longer than an idle one, and a test that holds
/// returns as soon as it holds. - Returns: whether it held.
public func eventually(
    within limit: Duration = .seconds(60), every interval: Duration = .milliseconds(20),
    _ check: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await check() { return true }
        try await Task.sleep(for: interval)
    }
    return try await check()
}
