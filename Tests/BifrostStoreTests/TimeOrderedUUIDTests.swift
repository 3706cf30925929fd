import BifrostStore
import Foundation
import Testing

/// Execution ids are version 7 UUIDs: their time prefix orders them by creation, their rest is random.
@Suite struct TimeOrderedUUIDTests {
    @Test func carriesTheVersionTheVariantAndTheMillisecondsOfItsTime() {
        let date = Date(timeIntervalSince1970: 1_764_150_000.123)
        let id = UUID.timeOrdered(at: date)
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_764_150_000_123)
    }

    @Test func laterIdsSortLaterAndIdsOfOneInstantDiffer() {
        let start = Date()
        let ids = (0..<50).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) * 0.002)) }
        let texts = ids.map { $0.uuidString.lowercased() }
        #expect(texts == texts.sorted())
        let sameInstant = Set((0..<1_000).map { _ in UUID.timeOrdered(at: start) })
        #expect(sameInstant.count == 1_000)
    }
}
