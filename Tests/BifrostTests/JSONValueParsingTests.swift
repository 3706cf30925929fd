import Bifrost
import Foundation
import Testing

/// `JSONValue(parsing:)`, which the engine and the queue read every input with, agrees with `JSONDecoder` on
/// valid text and refuses what it refuses.
@Suite struct JSONValueParsingTests {
    static let valid = [
        "null", "true", "false", "0", "-0", "42", "-42", "9223372036854775807", "-9223372036854775808",
        "12345678901234567890", "1.5", "-2.5e300", "1e-5", "1.0", "1e2", "1E+2", "0.1e1", "3.25E-2",
        #""""#, #""plain""#, #""quote \" backslash \\ slash \/""#, #""\b\f\n\r\t""#, #""\u00e9\u2028 é ü 😀""#,
        #""\ud83d\ude00""#, #""\u0000""#, "[]", "{}", " \t\n\r[ 1 , \"two\" , [ 3.5 ] , { \"k\" : null } ] ",
        #"{"b":1,"a":{"nested":[true,null,false]},"":"empty key","k\"ey":"v"}"#,
        #"{"id": "42", "count": 7, "tags": ["a", "b"], "ratio": 0.25}"#,
    ]

    static let invalid = [
        "", " ", "nul", "tru", "True", "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "1e400", "NaN", "[1,]",
        "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "[", "{", "\"unterminated", "\"bad \\x escape\"",
        "\"\\ud83d\"", "\"\\ude00\"", "\"\\u12\"", "\"tab\tinside\"", "1 2", "[] []", "\"\\ud83d\\u0041\"",
    ]

    @Test(arguments: valid)
    func agreesWithFoundation(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue(parsing: text) == expected)
        #expect(try JSONValue(parsing: Array(text.utf8)) == expected)
    }

    /// Trailing commas, which `JSONDecoder` lets through although RFC 8259 has none.
    static let trailingCommas = ["[1,]", "{\"a\":1,}"]

    @Test(arguments: invalid)
    func refusesWhatFoundationRefuses(_ text: String) {
        if !Self.trailingCommas.contains(text) {
            #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
        }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONValue.ParseError.self) {
            try JSONValue(parsing: String(repeating: "[", count: 600) + String(repeating: "]", count: 600))
        }
        #expect(throws: Never.self) {
            try JSONValue(parsing: String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
        }
    }

    @Test func keepsIntegersApartFromFractions() throws {
        #expect(try JSONValue(parsing: "[7, 7.0, 7.5, 1e300]") == [7, 7, 7.5, .double(1e300)])
        #expect(try JSONValue(parsing: #"{"a": 1, "a": 2}"#) == ["a": 2])
    }

    /// A number beyond `Double`'s range would become an infinity, which JSON cannot write back: refused, at the
    /// number. One too small for a `Double` is zero, as `JSONDecoder` reads it.
    @Test(arguments: [
        ("1e999", 0), ("-1e999", 0), ("1E+309", 0), ("[1, 1e400]", 4), (#"{"a": -17976931348623159e292}"#, 6),
    ])
    func refusesNumbersThatOverflowToInfinity(_ text: String, at offset: Int) {
        let error = #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: text) }
        #expect(error?.reason == "number out of range")
        #expect(error?.offset == offset)
    }

    @Test func readsUnderflowAndNegativeZeroAsZero() throws {
        #expect(try JSONValue(parsing: "[1e-999, -1e-999, -0, -0.0]") == [0, 0, 0, 0])
        #expect(try JSONValue(parsing: "1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
    }

    /// U+0000 is an ordinary character to the parser (refusing it is the request boundary's business): escaped, it
    /// parses, in keys too, and writes back; raw, it is a control character, which JSON does not allow in strings.
    @Test func representsNulEscapes() throws {
        let value = try JSONValue(parsing: #"{"k\u0000ey": "a\u0000b", "": ["\u0000"]}"#)
        #expect(value == ["k\u{0}ey": "a\u{0}b", "": ["\u{0}"]])
        #expect(try JSONValue(parsing: value.jsonText) == value)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0x00, 0x22]) }
    }

    @Test func saysWhereTheTextWentWrong() {
        let error = #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: "[1,2 3]") }
        #expect(error?.offset == 5)
        #expect(error?.reason == "expected ',' or ']'")
    }
}
