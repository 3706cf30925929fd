import Bifrost
public import Foundation

extension UUID {
    /// The canonical lowercase text of the identifier (`0f3c…-…`), as the API, the logs and the database write it
    /// (`writeLowercasedText(into:)`, in `Bifrost`).
    public var lowercasedText: String {
        String(unsafeUninitializedCapacity: 36) { text in
            writeLowercasedText(into: text)
            return 36
        }
    }
}
