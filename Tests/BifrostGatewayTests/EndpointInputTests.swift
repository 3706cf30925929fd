import HTTPTypes
import Testing

@testable import Bifrost
@testable import BifrostGateway

/// `EndpointInput`, which turns an endpoint call's query and body text into typed parameters: what it converts,
/// and the text it refuses with a 422 naming the field.
@Suite struct EndpointInputTests {
    /// One parameter of each kind, named after it (as the fuzz harness declares them).
    private static let parameters = ParameterKind.allCases.map { kind in
        ParameterDeclaration(
            name: kind.rawValue, kind: kind, label: nil, isRequired: false, defaultValue: nil, help: nil,
            validations: [], dataProvider: nil
        )
    }

    private func values(
        query: [(String, String)], body: String = "", contentType: String? = nil
    ) throws -> [String: JSONValue] {
        try EndpointInput.values(
            query: query, body: Array(body.utf8), contentType: contentType, parameters: Self.parameters
        )
    }

    /// The fields a 422 names, or nil when the call is not refused with one.
    private func refusedFields(query: [(String, String)]) -> [String]? {
        do {
            _ = try values(query: query)
            return nil
        } catch let problem as Problem where problem.status == .unprocessableContent {
            return problem.errors.map(\.field)
        } catch {
            return nil
        }
    }

    /// Text `Double(_:)` or `Int(_:)` would read, but that is no number a client can mean or JSON can write back:
    /// not-a-number, infinities, `1e999` (an infinity once read), negative zero, integers beyond 64 bits.
    @Test(arguments: [
        "nan", "NaN", "inf", "-inf", "infinity", "-Infinity", "-0", "-0.0", "-00", "1e999", "-1e999",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999",
    ])
    func refusesNonNumbersWhereANumberIsExpected(_ text: String) {
        #expect(refusedFields(query: [("int", text), ("float", text)]) == ["int", "float"])
    }

    @Test func convertsNumbers() throws {
        let converted = try values(query: [("int", "-9223372036854775808"), ("float", "9223372036854775807")])
        #expect(converted["int"] == .int(.min))
        #expect(converted["float"] == .double(0x1p63))
        #expect(try values(query: [("int", "+5"), ("float", "0")]) == ["int": 5, "float": .double(0)])
        #expect(
            try values(query: [("int", "42"), ("float", "-2.5e-300")]) == ["int": 42, "float": .double(-2.5e-300)])
        // A float 1.5 is no int; a JSON body's numbers are the body's (JSON has no -0 or NaN to send).
        #expect(refusedFields(query: [("int", "1.5")]) == ["int"])
        let body = try values(query: [], body: #"{"int": -0, "float": 1e300}"#, contentType: "application/json")
        #expect(body == ["int": 0, "float": .double(1e300)])
    }

    /// Text for a `json` parameter that is not JSON, and JSON for a `list` parameter that is not an array, are
    /// refused (they once became `null`: `JSONValue` is `ExpressibleByNilLiteral`, and a `?:` turned the refusal
    /// into a value).
    @Test func refusesJSONAndListsThatAreNotOfTheirKind() throws {
        #expect(refusedFields(query: [("list", "null")]) == ["list"])
        #expect(refusedFields(query: [("list", "9")]) == ["list"])
        #expect(refusedFields(query: [("list", "{}")]) == ["list"])
        #expect(refusedFields(query: [("json", "not json")]) == ["json"])
        #expect(refusedFields(query: [("json", "1e999")]) == ["json"])
        #expect(try values(query: [("json", "null"), ("list", "[1]")]) == ["json": .null, "list": [1]])
        #expect(try values(query: [("list", "a,b")]) == ["list": ["a", "b"]])
    }

    /// A form's `&`, `=` and `+` are bytes: a combining mark after one (sent unencoded) once made a single
    /// `Character` with it, so that two fields merged into one.
    @Test func splitsFormsOnBytes() {
        func fields(_ text: String) -> [[String]] { EndpointInput.form(text).map { [$0.0, $0.1] } }
        #expect(fields("a=1&\u{301}b=2") == [["a", "1"], ["\u{301}b", "2"]])
        #expect(fields("a=\u{301}x=y&b+c=d+\u{301}") == [["a", "\u{301}x=y"], ["b c", "d \u{301}"]])
        #expect(fields("a=%41%2B+&=&b&c=%zz") == [["a", "A+ "], ["", ""], ["c", "%zz"]])
    }

    /// U+0000 reaches a parameter as it was sent: refusing it is the request boundary's business.
    @Test func passesNulOnAsText() throws {
        let form = try values(query: [], body: "string=a%00b", contentType: "application/x-www-form-urlencoded")
        #expect(form["string"] == "a\u{0}b")
        let json = try values(query: [("json", #""\u0000""#)])
        #expect(json["json"] == "\u{0}")
    }
}
