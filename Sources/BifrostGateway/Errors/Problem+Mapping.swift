import BifrostRuntime
import BifrostStore
import Foundation
import Hummingbird
import OpenAPIRuntime
import PostgresNIO

extension Problem {
    /// The problem a thrown error stands for, and whether it is a server fault that belongs in the log.
    ///
    /// Client mistakes keep their specific message; anything unrecognised becomes `internalError`, whose
    /// response says nothing about the cause.
    static func from(_ error: any Error) -> (problem: Problem, isServerFault: Bool) {
        switch error {
        case let problem as Problem:
            return (problem, problem.status.kind == .serverError)
        case let error as StoreError:
            return (Problem.from(store: error), false)
        case let refusal as AccessRefusal:
            return (Problem.from(refusal: refusal), false)
        case let error as PSQLError:
            return fromDatabase(error)
        case let error as ServerError:
            return fromGenerated(error)
        case let error as DecodingError:
            return (Problem.from(decoding: error), false)
        case let error as HTTPError:
            return fromHummingbird(error)
        default:
            return (.internalError, true)
        }
    }

    private static func fromGenerated(_ error: ServerError) -> (problem: Problem, isServerFault: Bool) {
        switch error.underlyingError {
        case let problem as Problem:
            return (problem, problem.status.kind == .serverError)
        case let store as StoreError:
            return (Problem.from(store: store), false)
        case let refusal as AccessRefusal:
            return (Problem.from(refusal: refusal), false)
        case let database as PSQLError:
            return fromDatabase(database)
        case let decoding as DecodingError:
            return (Problem.from(decoding: decoding), false)
        case let http as HTTPError:
            return fromHummingbird(http)
        default:
            break
        }
        switch error.httpStatus {
        case .unsupportedMediaType:
            return (.unsupportedMediaType(error.causeDescription), false)
        case let status where status.kind == .clientError:
            return (
                Problem(status, kind: "bad-request", title: status.reasonPhrase, detail: error.causeDescription), false
            )
        default:
            return (.internalError, true)
        }
    }

    /// A database error: the caller's fault when the data it sent was refused (a constraint, a length, text
    /// PostgreSQL cannot store), a server fault otherwise.
    private static func fromDatabase(_ error: PSQLError) -> (problem: Problem, isServerFault: Bool) {
        guard let refusal = StoreError(refusal: error) else { return (.internalError, true) }
        return (Problem.from(store: refusal), false)
    }

    /// The answer to a refusal of the runtime's identity services.
    static func from(refusal: AccessRefusal) -> Problem {
        switch refusal.kind {
        case .malformed(let field, let message):
            return .badRequest(refusal.detail, errors: [.init(field: field, message: message)])
        case .forbidden:
            return .forbidden(refusal.detail)
        case .notFound:
            return .notFound(refusal.detail)
        }
    }

    private static func fromHummingbird(_ error: HTTPError) -> (problem: Problem, isServerFault: Bool) {
        switch error.status {
        case .notFound:
            return (.notFound(), false)
        case .contentTooLarge:
            return (
                Problem(.contentTooLarge, kind: "payload-too-large", title: "Payload too large", detail: error.body),
                false
            )
        case let status where status.kind == .clientError:
            return (Problem(status, kind: "bad-request", title: status.reasonPhrase, detail: error.body), false)
        default:
            return (.internalError, true)
        }
    }

    /// A repository's domain failure.
    static func from(store error: StoreError) -> Problem {
        switch error {
        case .notFound:
            return .notFound("No such item in this scope.")
        case .conflict("data"):
            return .conflict("The organisation still owns users or keys; repeat with force=true to delete them too.")
        case .conflict(let field):
            return .conflict(
                "The \(field) is already in use.", errors: [.init(field: field, message: "is already in use")])
        case .invalid(let field):
            return .validation([.init(field: field, message: "is not a value this field accepts")])
        }
    }

    /// A JSON decoding failure: syntax errors are 400 with where they are; shape errors are 422 naming the field.
    static func from(decoding error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let reason = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return .malformedJSON("The request body is not valid JSON" + (reason.map { ": \($0)" } ?? "."))
        case .dataCorrupted(let context):
            return .validation([.init(field: context.codingPath.dottedPath, message: context.debugDescription)])
        case .keyNotFound(let key, let context):
            return .validation([.init(field: (context.codingPath + [key]).dottedPath, message: "is required")])
        case .valueNotFound(_, let context):
            return .validation([.init(field: context.codingPath.dottedPath, message: "must not be null")])
        case .typeMismatch(let type, let context):
            return .validation([.init(field: context.codingPath.dottedPath, message: "must be \(jsonKind(of: type))")])
        @unknown default:
            return .malformedJSON("The request body could not be read.")
        }
    }

    private static func jsonKind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}

extension [any CodingKey] {
    /// `items.0.id` for a path of keys and indexes; `(body)` for the root.
    var dottedPath: String {
        isEmpty ? "(body)" : map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
