import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// `GET /api/ws`: a WebSocket over which a dashboard follows the runs it subscribes to.
///
/// The client sends `{"subscribe": "<execution id>"}` (optionally with `"last_event_id": n`) and
/// `{"unsubscribe": "<execution id>"}`; the server sends each event of each subscribed run as
/// `{"execution_id": …, "event": "status" | "log", "id": n (log lines), "data": {…}}`, the same events as the
/// run's Server-Sent Events stream (`ExecutionFeed`), and `{"event": "error", …, "data": {"detail": …}}` for a
/// message it cannot act on. A subscription ends by itself after the run's final status. The upgrade needs
/// credentials and a role granted `openExecutionSocket`; each run is shown with the caller's visibility.
///
/// The credential the socket was opened with is re-checked after every credential change on any replica, and
/// before each subscription: once it no longer stands (a revoked key, a logout, a password change, a
/// deactivated user or organisation) the socket sends an error and closes with 1008 (policy violation).
struct ExecutionSocket: Sendable {
    let engine: ExecutionEngine
    /// Where the runs it follows are read.
    let executions: PostgresExecutionRepository
    let gate: AccessGate
    /// Each socket is one live-update stream of its caller.
    let streams: StreamSlots
    let credentials: CredentialCheck
    let logger: Logger
    /// Most runs one socket follows at once.
    var maximumSubscriptions = 100
    /// How many messages a client may send: a burst of 20, then 10 a second. Each subscribe costs a database
    /// read and a watch; messages beyond are answered with an error and dropped.
    var messageLimit = TokenBucketLimiter.Limit(perSecond: 10, burst: 20)

    func register(on router: Router<GatewayRequestContext>) {
        router.ws("/api/ws") { _, context in
            let headers = try gate.admit(context.identity, to: "openExecutionSocket")
            if let identity = context.identity { try streams.checkAvailable(for: identity.principal.id) }
            return .upgrade(headers)
        } onUpgrade: { inbound, outbound, context in
            guard let identity = context.requestContext.identity else { return }
            let slot: StreamSlots.Slot
            do {
                slot = try streams.open(for: identity.principal.id)
            } catch {
                // Taken meanwhile by another stream of the caller: say so and close.
                try await outbound.write(.text(Self.error(nil, "Too many live-update streams are open.")))
                return
            }
            defer { slot.close() }
            try await serve(inbound: inbound, outbound: outbound, identity: identity)
        }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, identity: RequestIdentity)
        async throws
    {
        let visibility = try identity.executionVisibility(all: identity.principal.isPlatformAdmin)
        let credential = WatchedCredential(principal: identity.principal, check: credentials)
        // Every message goes out through one writer, in order.
        let (messages, send) = AsyncStream.makeStream(of: String.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in messages { try await outbound.write(.text(message)) }
            }
            // The client's requests until it leaves, or the credential's revocation, whichever comes first.
            let revoked = await withTaskGroup(of: Bool.self) { watched in
                watched.addTask {
                    (try? await receive(inbound, visibility: visibility, credential: credential, send: send)) ?? false
                }
                watched.addTask {
                    await credential.revoked()
                    return !Task.isCancelled
                }
                let revoked = await watched.next() ?? false
                watched.cancelAll()
                return revoked
            }
            // Whatever events are still queued stay undelivered: the caller may no longer see them.
            send.finish()
            group.cancelAll()
            guard revoked else { return }
            _ = try? await group.next()
            try await outbound.write(
                .text(Self.error(nil, "The credential this socket was opened with is no longer valid.")))
            try await outbound.close(.policyViolation, reason: "credential revoked")
        }
    }

    /// Acts on the client's requests until it leaves. - Returns: true when a subscription found the credential
    /// no longer valid.
    private func receive(
        _ inbound: WebSocketInboundStream, visibility: ExecutionVisibility, credential: WatchedCredential,
        send: AsyncStream<String>.Continuation
    ) async throws -> Bool {
        var subscriptions: [UUID: Task<Void, Never>] = [:]
        defer { for task in subscriptions.values { task.cancel() } }
        let budget = TokenBucketLimiter()
        for try await message in inbound.messages(maxSize: 4_096) {
            guard budget.take("messages", limit: messageLimit).allowed else {
                send.yield(Self.error(nil, "Too many messages: at most \(Int(messageLimit.perSecond)) a second."))
                continue
            }
            guard case .text(let text) = message, let request = Request(text) else {
                send.yield(
                    Self.error(
                        nil, "Send {\"subscribe\": \"<execution id>\"} or {\"unsubscribe\": \"<execution id>\"}."))
                continue
            }
            subscriptions = subscriptions.filter { !$0.value.isCancelled }
            switch request {
            case .unsubscribe(let id):
                subscriptions.removeValue(forKey: id)?.cancel()
            case .subscribe(let id, let after):
                guard subscriptions[id] == nil else { continue }
                guard subscriptions.count < maximumSubscriptions else {
                    send.yield(Self.error(id, "A socket follows at most \(maximumSubscriptions) runs."))
                    continue
                }
                // Revoked since the socket opened, and the change not yet seen here: no new subscription.
                guard try await credential.stands() else { return true }
                // The socket watches its credential once for all its feeds.
                let feed = ExecutionFeed(
                    id: id, visibility: visibility, engine: engine, executions: executions, credential: nil,
                    logger: logger)
                guard let events = try await feed.events(after: after) else {
                    send.yield(Self.error(id, "No execution has this id."))
                    continue
                }
                // Ended by an unsubscribe, by the run's last event, or when the socket closes (all cancelled).
                subscriptions[id] = Task {
                    for await event in events {
                        guard let (name, sequence, json) = try? event.encoded() else { continue }
                        send.yield(Self.message(id, name, sequence, json))
                    }
                }
            }
        }
        return false
    }

    /// What a client asks.
    private enum Request {
        case subscribe(UUID, after: Int)
        case unsubscribe(UUID)

        init?(_ text: String) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                return nil
            }
            if let id = (object["subscribe"] as? String).flatMap(UUID.init(uuidString:)) {
                self = .subscribe(id, after: max(0, object["last_event_id"] as? Int ?? 0))
            } else if let id = (object["unsubscribe"] as? String).flatMap(UUID.init(uuidString:)) {
                self = .unsubscribe(id)
            } else {
                return nil
            }
        }
    }

    private static func message(_ id: UUID, _ event: String, _ sequence: Int?, _ data: String) -> String {
        let sequenceField = sequence.map { ",\"id\":\($0)" } ?? ""
        return
            "{\"execution_id\":\"\(id.lowercasedText)\",\"event\":\"\(event)\"\(sequenceField),\"data\":\(data)}"
    }

    private static func error(_ id: UUID?, _ detail: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["detail": detail])).map {
            String(decoding: $0, as: UTF8.self)
        }
        let execution = id.map { "\"execution_id\":\"\($0.lowercasedText)\"," } ?? ""
        return "{\(execution)\"event\":\"error\",\"data\":\(data ?? "{}")}"
    }
}
