import Foundation
import OpenAPIRuntime
import Testing

@testable import BifrostGateway

/// The API's date transcoder writes and reads the same text as OpenAPIRuntime's default one, without ICU.
@Suite struct RFC3339DateTranscoderTests {
    @Test(arguments: [0, 1_764_774_245, 1_764_774_245.75, 4_102_444_799, -86_400.5])
    func writesWhatTheDefaultTranscoderWrites(_ seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let ours = try RFC3339DateTranscoder().encode(date)
        #expect(ours == (try ISO8601DateTranscoder().encode(date)))
        #expect(ours.hasSuffix("Z"))
        #expect(try RFC3339DateTranscoder().decode(ours) == Date(timeIntervalSince1970: seconds.rounded(.down)))
    }

    @Test func readsOffsetsAndRefusesWhatIsNotADate() throws {
        let transcoder = RFC3339DateTranscoder()
        #expect(
            try transcoder.decode("2026-12-03T16:04:05+01:00") == (try transcoder.decode("2026-12-03T15:04:05Z")))
        #expect(try transcoder.decode("2026-12-03T15:04:05Z") == Date(timeIntervalSince1970: 1796310245))
        // A DecodingError, as the default transcoder throws: the API maps it to 400, any other error to 500.
        #expect(throws: DecodingError.self) { try transcoder.decode("yesterday") }
        #expect(throws: DecodingError.self) { try transcoder.decode("") }
        #expect(throws: DecodingError.self) { try transcoder.decode("2026-13-45T99:99:99Z") }
    }
}
