import Bifrost
import Foundation
import Testing

/// `JSONValue.jsonText`, which the engine stores every run's input and result with, is JSON that parses back to
/// the same value.
@Suite struct JSONValueTextTests {
    @Test(arguments: [
        JSONValue.null, true, false, 0, -42, .int(Int.max), .int(Int.min), 1.5, .double(1e-05), .double(-2.5e300),
        "", "plain", "quote \" backslash \\ slash /", "line\nbreak\ttab\rreturn", "\u{0}\u{1}\u{1F}\u{7F}",
        "é ünïcode 😀 \u{2028}", [], [1, "two", [3.5], ["k": nil]], [:],
        ["b": 1, "a": ["nested": [true, .null]], "": "empty key", "k\"ey": "v"],
    ])
    func parsesBackToTheSameValue(_ value: JSONValue) throws {
        let text = value.jsonText
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(parsed == value, "\(text)")
    }

    @Test func isCompactWithEscapesAndNoNonFiniteNumbers() {
        #expect((["a": [true, "x", 1, 2.5, nil]] as JSONValue).jsonText == #"{"a":[true,"x",1,2.5,null]}"#)
        #expect(JSONValue.string("\u{1F}").jsonText == #""\u001f""#)
        #expect(JSONValue.double(.infinity).jsonText == "null")
        #expect(JSONValue.string("\u{1}").jsonText == #""\u0001""#)
    }

    @Test func escapesQuotesBackslashesAndControlsAndStoresNULAsReplacement() {
        #expect(JSONValue.string("a\"b\\c\nd\re\tf").jsonText == #""a\"b\\c\nd\re\tf""#)
        #expect(JSONValue.string("x\u{0}y").jsonText == #""x\u0000y""#)
        #expect(JSONValue.string("x\u{0}y").storableJSONText == "\"x\u{FFFD}y\"")
        #expect(JSONValue.object(["k\u{0}": "v"]).storableJSONText == "{\"k\u{FFFD}\":\"v\"}")
        #expect(JSONValue.string("é 😀 \u{7F}").jsonText == "\"é 😀 \u{7F}\"")
        #expect(JSONValue.int(Int.min).jsonText == "-9223372036854775808")
        #expect(JSONValue.array([0, -7, 1_000_000]).jsonText == "[0,-7,1000000]")
    }

    @Test func theWriterPlacesCommasInNestedContainersAndWritesValuesWhole() throws {
        var writer = JSONTextWriter(replacingNUL: true)
        writer.beginArray()
        writer.beginObject()
        writer.key("a")
        writer.int(-3)
        writer.key("b")
        writer.beginArray()
        writer.bool(true)
        writer.null()
        writer.double(.nan)
        writer.beginObject()
        writer.endObject()
        writer.endArray()
        writer.key("c")
        writer.value(["x": [1, "y"]])
        writer.endObject()
        writer.string("tail\n")
        writer.string(try #require(UUID(uuidString: "0F3C2B8E-91D4-4C6A-B5E7-1A2B3C4D5E6F")))
        writer.double(0.25)
        writer.endArray()
        #expect(
            writer.text
                == "[{\"a\":-3,\"b\":[true,null,null,{}],\"c\":{\"x\":[1,\"y\"]}},\"tail\\n\","
                + "\"0f3c2b8e-91d4-4c6a-b5e7-1a2b3c4d5e6f\",0.25]")
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(writer.bytes))
        #expect(
            parsed == [
                ["a": -3, "b": [true, nil, nil, [:]], "c": ["x": [1, "y"]]], "tail\n",
                "0f3c2b8e-91d4-4c6a-b5e7-1a2b3c4d5e6f", 0.25,
            ])
    }
}
