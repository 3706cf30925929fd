import BifrostCrypto
public import Foundation

/// Webhook signatures as the Standard Webhooks specification defines them: the sender signs
/// `{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 under a shared secret (`whsec_` + base64 of its
/// bytes) and sends `webhook-signature: v1,<base64>` (several, space-separated, while a secret is rotated).
public enum StandardWebhookSignature {
    /// Why a request's signature is refused.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case missingHeader(String)
        case malformedTimestamp
        /// The timestamp is further than the tolerance from now (a stale or replayed request, or a clock off).
        case timestampOutOfTolerance
        case noMatchingSignature

        public var description: String {
            switch self {
            case .missingHeader(let name): "the \(name) header is missing"
            case .malformedTimestamp: "webhook-timestamp is not a number of seconds"
            case .timestampOutOfTolerance: "webhook-timestamp is more than 5 minutes from now"
            case .noMatchingSignature: "no signature in webhook-signature matches"
            }
        }
    }

    /// How far a timestamp may be from now, either way.
    public static let tolerance: TimeInterval = 300
    /// The prefix of a secret's text form.
    public static let secretPrefix = "whsec_"

    /// The bytes of a secret written `whsec_<base64>` (the prefix may be left out); nil when it is not base64.
    public static func secretBytes(_ text: String) -> [UInt8]? {
        let encoded = text.hasPrefix(secretPrefix) ? String(text.dropFirst(secretPrefix.count)) : text
        guard let bytes = Base64.decode(encoded), !bytes.isEmpty else { return nil }
        return bytes
    }

    /// A secret's text form.
    public static func secretText(_ bytes: [UInt8]) -> String { secretPrefix + Base64.encode(bytes) }

    /// The `webhook-signature` value for a message.
    public static func sign(id: String, timestamp: Int, body: some Collection<UInt8>, secret: [UInt8]) -> String {
        "v1," + Base64.encode(code(id: id, timestamp: String(timestamp), body: body, secret: secret))
    }

    /// Checks a request's headers and body against each of `secrets`.
    /// - Returns: the index of the secret that signed it.
    /// - Throws: `Failure`, the first thing that is wrong.
    @discardableResult
    public static func verify(
        id: String?, timestamp: String?, signatures: String?, body: some Collection<UInt8>, secrets: [[UInt8]],
        now: Date = Date()
    ) throws -> Int {
        guard let id, !id.isEmpty else { throw Failure.missingHeader("webhook-id") }
        guard let timestamp else { throw Failure.missingHeader("webhook-timestamp") }
        guard let signatures else { throw Failure.missingHeader("webhook-signature") }
        guard let seconds = Int(timestamp) else { throw Failure.malformedTimestamp }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else {
            throw Failure.timestampOutOfTolerance
        }
        let presented = signatures.split(separator: " ").compactMap { entry -> [UInt8]? in
            guard entry.hasPrefix("v1,") else { return nil }  // other schemes are not ours to check
            return Base64.decode(String(entry.dropFirst(3)))
        }
        for (index, secret) in secrets.enumerated() {
            let expected = code(id: id, timestamp: timestamp, body: body, secret: secret)
            // Every presented signature is compared, in constant time, whatever matched before.
            var matched = false
            for candidate in presented where ConstantTime.equals(candidate, expected) { matched = true }
            if matched { return index }
        }
        throw Failure.noMatchingSignature
    }

    private static func code(id: String, timestamp: String, body: some Collection<UInt8>, secret: [UInt8]) -> [UInt8] {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        return HMACSHA256.authenticationCode(for: message, key: secret)
    }
}
