public import Foundation

extension UUID {
    /// The canonical lowercase text of the identifier (`0f3c…-…`), as the API, the logs and the database write it.
    ///
    /// Written by hand: Foundation's `uuidString` formats each byte through `snprintf`, which made it about 6,000
    /// instructions per call, and a recorded run formats a dozen identifiers (measured with callgrind).
    public var lowercasedText: String {
        String(unsafeUninitializedCapacity: 36) { text in
            withUnsafeBytes(of: uuid) { bytes in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = Self.hexDigit(byte >> 4)
                    text[position + 1] = Self.hexDigit(byte & 0x0F)
                    position += 2
                }
            }
            return 36
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
