/// A stand-in for the gateway's `Problem` (Sources/BifrostGateway/Errors/Problem.swift), with only what
/// `EndpointInput` uses.
///
/// The real type renders itself as a Hummingbird response, so compiling it would mean compiling Hummingbird,
/// SwiftNIO and HTTPTypes with the fuzzer's instrumentation. `EndpointInput` only builds problems and throws them;
/// the status code is all the harness checks.
struct Problem: Error {
    /// One offending input field, for validation problems.
    struct FieldError: Equatable {
        var field: String
        var message: String
    }

    /// The HTTP status the real problem would have.
    var status: Int
    var detail: String
    var errors: [FieldError] = []

    static func badRequest(_ detail: String) -> Problem { Problem(status: 400, detail: detail) }

    static func unsupportedMediaType(_ detail: String) -> Problem { Problem(status: 415, detail: detail) }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(status: 422, detail: "\(errors.count) fields are invalid", errors: errors)
    }
}
