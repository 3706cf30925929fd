import BifrostGateway
import Foundation
import Testing

/// Standard Webhooks signatures: the specification's published vector, rotation, and every refusal.
@Suite struct StandardWebhookSignatureTests {
    // The vector of the Standard Webhooks reference implementations.
    private let secret = StandardWebhookSignature.secretBytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!
    private let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    private let timestamp = 1_614_265_330
    private let body = Array(#"{"test": 2432232314}"#.utf8)
    private let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    private var signedAt: Date { Date(timeIntervalSince1970: Double(timestamp)) }

    @Test func thePublishedVectorSignsAndVerifies() throws {
        #expect(StandardWebhookSignature.sign(id: id, timestamp: timestamp, body: body, secret: secret) == expected)
        try StandardWebhookSignature.verify(
            id: id, timestamp: String(timestamp), signatures: expected, body: body, secrets: [secret], now: signedAt
        )
        // The prefix of the secret's text is optional; another scheme's entry beside ours is ignored.
        #expect(StandardWebhookSignature.secretBytes("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == secret)
        try StandardWebhookSignature.verify(
            id: id, timestamp: String(timestamp), signatures: "v1a,bm9wZQ== v1,bm9wZQ== \(expected)", body: body,
            secrets: [secret], now: signedAt.addingTimeInterval(299)
        )
    }

    @Test func duringRotationEitherActiveSecretVerifies() throws {
        let newer = Array("a second secret of thirty-two b!".utf8)
        let signedByNewer = StandardWebhookSignature.sign(id: id, timestamp: timestamp, body: body, secret: newer)
        let index = try StandardWebhookSignature.verify(
            id: id, timestamp: String(timestamp), signatures: signedByNewer, body: body, secrets: [secret, newer],
            now: signedAt
        )
        #expect(index == 1)
        #expect(throws: StandardWebhookSignature.Failure.noMatchingSignature) {
            try StandardWebhookSignature.verify(
                id: id, timestamp: String(timestamp), signatures: signedByNewer, body: body, secrets: [secret],
                now: signedAt
            )
        }
    }

    @Test func tamperingStaleTimesAndMissingPartsAreRefused() {
        func refusal(
            id: String? = "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: String? = "1614265330",
            signatures: String? = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body: [UInt8]? = nil,
            now: TimeInterval = 0
        ) -> StandardWebhookSignature.Failure? {
            do {
                try StandardWebhookSignature.verify(
                    id: id, timestamp: timestamp, signatures: signatures, body: body ?? self.body, secrets: [secret],
                    now: signedAt.addingTimeInterval(now)
                )
                return nil
            } catch {
                return error as? StandardWebhookSignature.Failure
            }
        }
        #expect(refusal() == nil)
        #expect(refusal(body: Array(#"{"test": 2432232315}"#.utf8)) == .noMatchingSignature)
        #expect(refusal(id: "msg_other") == .noMatchingSignature)
        #expect(refusal(timestamp: "1614265331", now: 1) == .noMatchingSignature)
        #expect(refusal(now: 301) == .timestampOutOfTolerance)
        #expect(refusal(now: -301) == .timestampOutOfTolerance)
        #expect(refusal(timestamp: "yesterday") == .malformedTimestamp)
        #expect(refusal(id: nil) == .missingHeader("webhook-id"))
        #expect(refusal(timestamp: nil) == .missingHeader("webhook-timestamp"))
        #expect(refusal(signatures: nil) == .missingHeader("webhook-signature"))
        #expect(refusal(signatures: "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") == .noMatchingSignature)
        #expect(refusal(signatures: "v1,not base64!") == .noMatchingSignature)
    }
}
