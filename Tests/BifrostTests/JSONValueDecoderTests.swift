import Bifrost
import Testing

/// The decoder that binds validated input to workflow properties converts exactly as `JSONDecoder` does.
@Suite struct JSONValueDecoderTests {
    private struct Item: Decodable, Equatable {
        var id: Int
        var note: String?
    }

    private struct Shape: Decodable, Equatable {
        var name: String
        var count: Int
        var ratio: Double
        var flag: Bool
        var missing: String?
        var empty: String?
        var items: [Item]
        var free: JSONValue
        var table: [String: [Int]]
    }

    @Test func decodesEveryKindOfValueAndConvertsNumbersLikeJSONDecoder() throws {
        let value: JSONValue = [
            "name": "n", "count": .double(3), "ratio": .int(2), "flag": true, "empty": .null,
            "items": [["id": 1, "note": "a"], ["id": 2]], "free": ["nested": [1, "two"]], "table": ["a": [1, 2]],
        ]
        let shape = try JSONValueDecoder().decode(Shape.self, from: value)
        #expect(
            shape
                == Shape(
                    name: "n", count: 3, ratio: 2, flag: true, missing: nil, empty: nil,
                    items: [Item(id: 1, note: "a"), Item(id: 2, note: nil)], free: ["nested": [1, "two"]],
                    table: ["a": [1, 2]]
                ))
    }

    @Test func refusesWhatJSONDecoderRefuses() {
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Item.self, from: ["id": .double(1.5)]) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Item.self, from: ["id": "1"]) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Item.self, from: ["note": "x"]) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode([Int].self, from: ["a": 1]) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(UInt8.self, from: .int(300)) }
    }
}
