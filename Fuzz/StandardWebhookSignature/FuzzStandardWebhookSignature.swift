import BifrostCrypto
import Foundation

/// libFuzzer entry point for `StandardWebhookSignature`: the `webhook-*` headers of a request, as anyone on the
/// internet may send them, and the `whsec_` secret text an administrator enters.
///
/// The input is up to five sections separated by `0xFF` bytes (see `FuzzSections`): `webhook-id`,
/// `webhook-timestamp`, `webhook-signature`, the secret's text, and the body (everything left). A missing
/// section is a missing header. In `webhook-signature`, `$sig` stands for the genuine signature of the request,
/// so that the accepting path is reached too. The clock reads the time of the Standard Webhooks test vector.
///
/// Checked on every input: `verify` throws only its `Failure`, and returns the index of a secret it was given;
/// a request signed with `sign` verifies, within the tolerance.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStandardWebhookSignature(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var sections = FuzzSections(start, count)
    let id = sections.nextText()
    let timestamp = sections.nextText()
    var signatures = sections.nextText()
    let secretText = sections.nextText()
    let body = Array(sections.remainder())
    let secret = secretText.flatMap(StandardWebhookSignature.secretBytes) ?? WebhookVector.secret
    let secrets = [WebhookVector.secret, secret]
    if let id, let timestamp, let seconds = Int(timestamp) {
        let genuine = StandardWebhookSignature.sign(id: id, timestamp: seconds, body: body, secret: secret)
        signatures = signatures?.replacingOccurrences(of: "$sig", with: genuine)
        checkSignedRequestVerifies(id: id, seconds: seconds, body: body, secret: secret, genuine: genuine)
    }
    do {
        let index = try StandardWebhookSignature.verify(
            id: id, timestamp: timestamp, signatures: signatures, body: body, secrets: secrets, now: WebhookVector.now
        )
        guard secrets.indices.contains(index) else { fatalError("verify returned index \(index)") }
    } catch is StandardWebhookSignature.Failure {
        return 0
    } catch {
        fatalError("verify threw \(error)")
    }
    return 0
}

/// A request signed with `sign` verifies when it is recent (as a sender's clock has it). Checked within ±2⁴⁰
/// seconds of 1970 (±34,000 years): beyond, `Date` (a `Double` from 2001) cannot hold the moment to the second.
private func checkSignedRequestVerifies(id: String, seconds: Int, body: [UInt8], secret: [UInt8], genuine: String) {
    guard !id.isEmpty, seconds.magnitude <= 1 << 40 else { return }
    let sentAt = Date(timeIntervalSince1970: Double(seconds))
    do {
        let index = try StandardWebhookSignature.verify(
            id: id, timestamp: String(seconds), signatures: genuine, body: body, secrets: [secret], now: sentAt
        )
        guard index == 0 else { fatalError("one secret, index \(index)") }
    } catch {
        fatalError("a signed request was refused: \(error)")
    }
}

/// The Standard Webhooks reference implementations' test vector: its secret, and the moment it was signed.
enum WebhookVector {
    static let secret = StandardWebhookSignature.secretBytes("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!
    static let now = Date(timeIntervalSince1970: 1_614_265_330)
}
