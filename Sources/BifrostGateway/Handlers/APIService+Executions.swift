import Bifrost
import BifrostAPI
import BifrostCrypto
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import HTTPTypes
import OpenAPIRuntime

extension APIService {
    func listExecutions(_ input: Operations.ListExecutions.Input) async throws -> Operations.ListExecutions.Output {
        let caller = try RequestIdentity.required()
        let query = input.query
        // ContractValidation has refused a limit outside 1...500; clamped again so no value can trap below.
        let limit = min(max(query.limit ?? 50, 1), 500)
        var filters = ExecutionQuery(
            workflow: query.workflow, status: query.status.flatMap { ExecutionStatus(rawValue: $0.rawValue) },
            since: query.since, until: query.until, limit: limit + 1
        )
        if let cursor = query.cursor {
            guard let position = ExecutionCursor(token: cursor) else {
                throw Problem.badRequest(
                    "The cursor is not one this gateway issued.",
                    errors: [.init(field: "cursor", message: "is not valid")])
            }
            filters.after = position
        }
        let found = try await workflows.executions.list(
            try caller.executionVisibility(all: query.scope == .all), filters)
        let records = found.prefix(limit)
        let next =
            found.count > limit ? records.last.map { ExecutionCursor(createdAt: $0.createdAt, id: $0.id).token } : nil
        return .ok(
            .init(body: .json(.init(items: try records.map(Components.Schemas.Execution.init), nextCursor: next))))
    }

    func getExecution(_ input: Operations.GetExecution.Input) async throws -> Operations.GetExecution.Output {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        let visibility = try caller.executionVisibility(all: caller.principal.isPlatformAdmin)
        guard let record = try await workflows.executions.get(id, visibility) else {
            throw Problem.notFound("No execution has this id.")
        }
        return .ok(.init(body: .json(try .init(record))))
    }

    func getExecutionLogs(_ input: Operations.GetExecutionLogs.Input) async throws -> Operations.GetExecutionLogs.Output
    {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        let includeDebug = input.query.includeDebug == true && caller.principal.isPlatformAdmin
        guard
            let lines = try await workflows.executions.logs(
                of: id, try caller.executionVisibility(all: caller.principal.isPlatformAdmin),
                includeDebug: includeDebug)
        else {
            throw Problem.notFound("No execution has this id.")
        }
        return .ok(
            .init(
                body: .json(
                    lines.map {
                        .init(
                            sequence: $0.sequence, level: .init(rawValue: $0.level) ?? .info, message: $0.message,
                            timestamp: $0.loggedAt)
                    })))
    }

    func streamExecution(_ input: Operations.StreamExecution.Input) async throws -> Operations.StreamExecution.Output {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        let feed = ExecutionFeed(
            id: id, visibility: try caller.executionVisibility(all: caller.principal.isPlatformAdmin),
            engine: workflows.engine, executions: workflows.executions, credential: identity.watch(caller.principal),
            logger: logger
        )
        let slot = try workflows.streams.open(for: caller.principal.id)
        guard let events = try await feed.events(after: max(0, input.headers.lastEventID ?? 0)) else {
            throw Problem.notFound("No execution has this id.")
        }
        return .ok(
            .init(
                body: .textEventStream(
                    HTTPBody(
                        events.holding(slot).map(Self.serverSentEvent), length: .unknown, iterationBehavior: .single
                    ))))
    }

    /// An event in the Server-Sent Events format (an idle one as a comment, which keeps proxies from closing).
    private static func serverSentEvent(_ event: ExecutionEvent) -> ArraySlice<UInt8> {
        guard let (name, id, json) = try? event.encoded() else { return ArraySlice(": keep-alive\n\n".utf8) }
        return ArraySlice(((id.map { "id: \($0)\n" } ?? "") + "event: \(name)\ndata: \(json)\n\n").utf8)
    }

    func cancelExecution(_ input: Operations.CancelExecution.Input) async throws -> Operations.CancelExecution.Output {
        let caller = try RequestIdentity.required()
        let id = try Self.uuid(input.path.id, field: "id")
        guard
            let record = try await workflows.executions.get(
                id, try caller.executionVisibility(all: caller.principal.isPlatformAdmin))
        else {
            throw Problem.notFound("No execution has this id.")
        }
        guard !record.status.isFinal else {
            throw Problem.conflict("The execution has already finished (\(record.status.rawValue)).")
        }
        let cancelledPending = record.status == .pending ? try await workflows.engine.queue.cancelPending(id) : false
        if !cancelledPending, !workflows.engine.cancel(id) {
            // Running on another replica (or claimed meanwhile): whichever runs it stops it.
            try await workflows.engine.queue.requestCancellation(id)
        }
        try await identity.audit.record(
            caller.auditEvent("execution.cancel", targetKind: "execution", targetID: id.lowercasedText))
        return .accepted(.init())
    }
}

extension Components.Schemas.Execution {
    init(_ record: ExecutionRecord) throws {
        self.init(
            id: record.id.lowercasedText, workflow: record.workflow,
            organizationId: record.organizationID?.lowercasedText,
            status: .init(rawValue: record.status.rawValue) ?? .failed,
            input: .init(additionalProperties: try JSONBridge.objectContainer(record.input)),
            result: try record.result.map(JSONBridge.container),
            error: record.error, startedBy: record.startedBy.label,
            userId: record.startedBy.userID?.lowercasedText,
            apiKeyId: record.startedBy.apiKeyID?.lowercasedText,
            createdAt: record.createdAt, startedAt: record.startedAt, finishedAt: record.finishedAt,
            durationMs: record.durationMilliseconds
        )
    }
}

extension ExecutionCursor {
    /// An opaque page token: the position in base64url.
    var token: String {
        let micros = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        return Base64.urlSafe(Array("\(micros)|\(id.lowercasedText)".utf8))
    }

    init?(token: String) {
        guard let bytes = Base64.decodeURLSafe(token), let text = String(bytes: bytes, encoding: .utf8) else {
            return nil
        }
        let parts = text.split(separator: "|")
        // Years 1 to 9999: a position outside cannot be one this gateway issued, and could not be bound as a date.
        guard parts.count == 2, let micros = Int64(parts[0]),
            (-62_135_596_800_000_000...253_402_300_799_999_999).contains(micros),
            let id = UUID(uuidString: String(parts[1]))
        else { return nil }
        self.init(createdAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }
}
