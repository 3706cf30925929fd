import Bifrost
import Testing

@testable import BifrostGateway

/// The bounds `openapi.yaml` declares, compiled once and checked without the generated server's help.
@Suite struct ContractValidationTests {
    let rules: ContractRules

    init() throws { rules = try ContractRules.builtIn() }

    @Test func everyOperationOfTheContractHasItsRules() throws {
        let operations = try AccessPolicy.operationIDs(in: Contract.openAPIDocument())
        #expect(Set(rules.operations.keys) == operations)
    }

    @Test func queryNumbersMustBeIntegersWithinTheirBounds() throws {
        let limit = try #require(rules.operations["listExecutions"]?.query["limit"])
        for text in ["-1", "0", "501", "9223372036854775808", "1e3", "abc", "", " 5"] {
            #expect(!limit.problems(ofParameter: text, at: "limit").isEmpty, "\(text)")
        }
        for text in ["1", "50", "500"] { #expect(limit.problems(ofParameter: text, at: "limit").isEmpty) }
        #expect(limit.problems(ofParameter: "-1", at: "limit").first?.message == "must be at least 1")
    }

    @Test func bodyMembersAreCheckedWhereverTheyAre() throws {
        let body = try #require(rules.operations["createOAuthConnection"]?.body)
        let document: JSONValue = [
            "name": "bad name!", "provider": "generic", "flow": "client_credentials", "client_id": "",
            "scopes": .array(["ok", "", .string(String(repeating: "s", count: 501))]),
            "extra\u{0}": "x",
        ]
        let fields = body.problems(of: document, at: "(body)").map(\.field).sorted()
        #expect(fields == ["client_id", "extra\u{0}", "name", "scopes.1", "scopes.2"])
        let tooMany = body.problems(of: ["scopes": .array(Array(repeating: "s", count: 101))], at: "(body)")
        #expect(tooMany.map(\.field) == ["scopes"])
    }

    @Test func lengthsCountCharactersAsPostgreSQLDoes() throws {
        let name = try #require(rules.operations["createOrganization"]?.body?.properties["name"])
        #expect(!name.problems(ofText: String(repeating: "e\u{301}", count: 150), at: "name").isEmpty)
        #expect(name.problems(ofText: String(repeating: "é", count: 200), at: "name").isEmpty)
        #expect(name.problems(ofText: "nul\u{0}", at: "name").map(\.message) == [ContractSchema.nulMessage])
    }

    @Test func queryItemsAreDecodedAsFormsAre() {
        let items = ContractValidation.queryItems(of: "/api/files?prefix=a%20b+c&flag&x=%00&bad=%zz")
        #expect(items.map(\.0) == ["prefix", "flag", "x", "bad"])
        #expect(items.map(\.1) == ["a b c", "", "\u{0}", "%zz"])
    }
}
