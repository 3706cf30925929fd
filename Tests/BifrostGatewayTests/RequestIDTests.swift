import Testing

@testable import BifrostGateway

@Suite struct RequestIDTests {
    @Test func generatedIdsAre32HexDigitsAndNeverRepeat() {
        let ids = (0..<10_000).map { _ in RequestIDMiddleware<GatewayRequestContext>.generate() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })
    }
}
