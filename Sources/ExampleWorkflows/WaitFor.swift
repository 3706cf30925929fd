import Bifrost

/// Waits cooperatively for `seconds` (for timeouts, cancellation and load tests).
struct WaitFor: Workflow {
    static let configuration = WorkflowConfiguration(
        "wait_for", description: "Wait for a number of seconds", category: "Operations", timeout: .seconds(2)
    )

    @Param(.float, .min(0), .max(3600)) var seconds: Double

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return ["waited": .double(seconds)]
    }
}

/// Fails with the given message (for error handling tests).
struct AlwaysFail: Workflow {
    static let configuration = WorkflowConfiguration(
        "always_fail", description: "Fail with a message", category: "Operations"
    )

    @Param(.string) var message: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        throw WorkflowError(message)
    }
}

/// Waits in the background for a number of seconds. Safe to repeat, so it declares one retry: a run whose
/// gateway process dies is started once more by another replica.
struct WaitInBackground: Workflow {
    static let configuration = WorkflowConfiguration(
        "wait_in_background", description: "Wait in the background for a number of seconds", category: "Operations",
        mode: .async, timeout: .seconds(3_600), retries: 1
    )

    @Param(.float, .min(0), .max(3600)) var seconds: Double

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        context.logger.info("Waiting \(seconds) s")
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return ["waited": .double(seconds)]
    }
}

/// The seed's secrets example: reads a secret and tells only whether it exists and how long it is.
struct CheckSecret: Workflow {
    static let configuration = WorkflowConfiguration(
        "check_secret", description: "Tell whether a secret exists, and its length", category: "Operations",
        requiresAdmin: true
    )

    @Param(.string, .pattern("^[A-Za-z0-9_.-]{1,100}$")) var name: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        guard let value = try await context.secrets.get(name) else { return ["exists": false] }
        return ["exists": true, "length": .int(value.count)]
    }
}
