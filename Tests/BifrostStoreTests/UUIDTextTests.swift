import BifrostStore
import Foundation
import Testing

/// `UUID.lowercasedText`, written by hand for speed, is Foundation's text in lowercase.
@Suite struct UUIDTextTests {
    @Test func isFoundationsTextInLowercase() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(id.lowercasedText == id.uuidString.lowercased())
        }
        let time = UUID.timeOrdered(at: Date())
        #expect(time.lowercasedText == time.uuidString.lowercased())
    }

    @Test func writesTheExtremes() {
        let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(zero.lowercasedText == "00000000-0000-0000-0000-000000000000")
        let ones = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        #expect(ones.lowercasedText == "ffffffff-ffff-ffff-ffff-ffffffffffff")
        let counting = UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
        #expect(counting.lowercasedText == "00010203-0405-0607-0809-0a0b0c0d0e0f")
    }
}
