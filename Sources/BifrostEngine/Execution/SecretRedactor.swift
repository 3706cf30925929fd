package import Bifrost
import Foundation
import Logging
import Synchronization

/// The secret values a run has read or written, and their removal from whatever the run produces: log lines (as
/// they are logged, before they reach the gateway's log or the database), its result and its error.
package final class SecretRedactor: Sendable {
    static let mask = "[REDACTED]"
    private let values = Mutex<[String]>([])

    /// Adds a value to hide from now on.
    package func hide(_ value: String) {
        guard !value.isEmpty else { return }
        values.withLock { values in
            guard !values.contains(value) else { return }
            values.append(value)
            // Longest first, so a value containing another is masked whole.
            values.sort { $0.count > $1.count }
        }
    }

    var isEmpty: Bool { values.withLock { $0.isEmpty } }

    /// `text` with every hidden value replaced by `[REDACTED]`.
    package func redact(_ text: String) -> String {
        let hidden = values.withLock { $0 }
        guard !hidden.isEmpty else { return text }
        var text = text
        for value in hidden where text.contains(value) {
            text = text.replacingOccurrences(of: value, with: Self.mask)
        }
        return text
    }

    /// Log metadata with every hidden value replaced in its values (keys are the author's names, not data).
    func redact(_ metadata: Logger.Metadata) -> Logger.Metadata {
        guard !isEmpty, !metadata.isEmpty else { return metadata }
        return metadata.mapValues(redact)
    }

    private func redact(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(redact(text))
        case .stringConvertible(let convertible): .string(redact(convertible.description))
        case .array(let items): .array(items.map(redact))
        case .dictionary(let members): .dictionary(members.mapValues(redact))
        }
    }

    /// `value` with every hidden value replaced in its strings (object keys included).
    package func redact(_ value: JSONValue) -> JSONValue {
        guard !isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(redact))
        case .object(let members):
            return .object(Dictionary(members.map { (redact($0.key), redact($0.value)) }) { first, _ in first })
        default: return value
        }
    }
}
