import Bifrost
import NIOCore
import PostgresNIO

/// Text already written as UTF-8 bytes (a run's document from `JSONTextWriter`), bound as `text` as it is.
///
/// A `String` parameter would first validate the bytes as UTF-8 on its way to being a `String` (about 4,000
/// instructions for a run's document) only to be written out as the same bytes. PostgreSQL still checks the
/// encoding of what it receives.
struct UTF8Text: PostgresNonThrowingEncodable, Sendable {
    var bytes: [UInt8]

    static var psqlType: PostgresDataType { .text }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<Encoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<Encoder>)
    {
        buffer.writeBytes(bytes)
    }
}

extension UTF8Text {
    /// JSON that PostgreSQL can store, written by `write` (U+0000, which it cannot store, written as U+FFFD): the
    /// one way the stores write the documents their statements read.
    static func storableJSON(capacity: Int, _ write: (inout JSONTextWriter) -> Void) -> UTF8Text {
        var writer = JSONTextWriter(replacingNUL: true, capacity: capacity)
        write(&writer)
        return UTF8Text(bytes: writer.bytes)
    }
}
