import BifrostCrypto
import Foundation

/// A Standard Webhooks sender, as a customer's system would be: it signs `{webhook-id}.{webhook-timestamp}.{body}`
/// with HMAC-SHA256 under a `whsec_…` secret the gateway showed once. Written from the specification, apart from
/// the gateway's own verifier, so that a test of the verifier does not grade its own homework.
public struct WebhookSender: Sendable {
    private let secret: [UInt8]

    /// - Parameter secret: the `whsec_<base64>` text; nil when it is not one.
    public init?(secret text: String) {
        guard text.hasPrefix("whsec_"), let bytes = Base64.decode(String(text.dropFirst(6))), !bytes.isEmpty else {
            return nil
        }
        secret = bytes
    }

    /// The headers of a delivery of `body`, signed now, with `id` as its `webhook-id` (a fresh one when nil).
    public func headers(for body: String, id: String? = nil) -> [String: String] {
        let id = id ?? "msg_\(UUID().uuidString)"
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let code = HMACSHA256.authenticationCode(for: Array("\(id).\(timestamp).\(body)".utf8), key: secret)
        return [
            "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": "v1," + Base64.encode(code),
            "Content-Type": "application/json",
        ]
    }
}
