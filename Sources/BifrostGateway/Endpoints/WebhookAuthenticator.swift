import BifrostEngine
import BifrostStore
import Foundation
import HTTPTypes
import Hummingbird
import Metrics

/// Who sent a Standard Webhooks request to an endpoint: the organisation whose active signing secret verifies it
/// (the secrets come from `EndpointSecretCache`); a `webhook-id` seen before is a replay. Every refusal is 401 and
/// is counted in `bifrost_webhook_rejections_total` by reason; the body is never logged.
struct WebhookAuthenticator: Sendable {
    let secrets: EndpointSecretCache
    let metrics: any MetricsFactory
    /// Most secrets a request is checked against when it does not name its organisation: each costs an HMAC of
    /// the whole body, so the work per request stays bounded however many organisations use the endpoint.
    var maximumUnnamedCandidates = 8

    /// The caller behind a Standard Webhooks signature: the organisation whose active secret signed the request
    /// (narrowed by `?organization=<uuid>` when the sender gives it, which it must once more than
    /// `maximumUnnamedCandidates` secrets are active for the endpoint). - Throws: 401 for a missing, bad, stale or
    /// replayed signature (counted in `bifrost_webhook_rejections_total` by reason), 422 when the organisation
    /// must be named or is not an id.
    func caller(of request: Request, workflow: String, body: [UInt8]) async throws -> Caller {
        let headers = request.headers
        guard let id = headers[HTTPField.Name("webhook-id")!] else {
            throw Problem.unauthorized(
                "Send an API key or a signed webhook (webhook-id, webhook-timestamp, webhook-signature).")
        }
        var candidates = try await secrets.secrets(for: workflow)
        if let organization = request.uri.queryParameters["organization"] {
            guard let id = UUID(uuidString: String(organization)) else {
                throw Problem.validation([.init(field: "organization", message: "must be an organisation id")])
            }
            candidates.removeAll { $0.organizationID != id }
        } else if candidates.count > maximumUnnamedCandidates {
            reject("organization_required")
            throw Problem.validation([
                .init(
                    field: "organization",
                    message:
                        "is required: this endpoint has signing secrets in many organisations; add ?organization=<id> to its address"
                )
            ])
        }
        let signer: PostgresEndpointSecretRepository.Active
        do {
            let index = try StandardWebhookSignature.verify(
                id: id, timestamp: headers[HTTPField.Name("webhook-timestamp")!],
                signatures: headers[HTTPField.Name("webhook-signature")!], body: body, secrets: candidates.map(\.secret)
            )
            signer = candidates[index]
        } catch let failure as StandardWebhookSignature.Failure {
            reject(reason(of: failure))
            throw Problem.unauthorized("The webhook signature was refused: \(failure).")
        }
        guard try await secrets.store.recordDelivery(id, of: workflow, in: signer.organizationID) else {
            reject("replay")
            throw Problem.unauthorized("This webhook-id was delivered before; it is not run again.")
        }
        return Caller(
            organizationID: signer.organizationID, userID: nil, email: nil, name: "webhook", isPlatformAdmin: false,
            actor: ExecutionActor(label: "webhook (\(signer.id))")
        )
    }

    private func reason(of failure: StandardWebhookSignature.Failure) -> String {
        switch failure {
        case .missingHeader: "missing_header"
        case .malformedTimestamp, .timestampOutOfTolerance: "stale_timestamp"
        case .noMatchingSignature: "bad_signature"
        }
    }

    private func reject(_ reason: String) {
        Counter(label: "bifrost_webhook_rejections_total", dimensions: [("reason", reason)], factory: metrics)
            .increment()
    }

}
