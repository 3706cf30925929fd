import BifrostGateway
import Testing

@Suite struct PolicyTests {
    private let known: Set<String> = ["getLiveness", "login", "getCurrentPrincipal"]

    @Test func everyOperationOfTheContractIsGrantedOrPublic() throws {
        let policy = try AccessPolicy.load(directory: nil)
        let operations = try AccessPolicy.operationIDs(in: Contract.openAPIDocument())
        #expect(!operations.isEmpty)
        for operation in operations {
            let granted = policy.publicOperations.contains(operation)
                || policy.grants.values.contains { $0.contains(operation) }
            #expect(granted, "\(operation) is neither public nor granted to any role")
        }
    }

    @Test func defaultDenyForAnythingNotGranted() throws {
        let policy = try AccessPolicy(
            files: [("p.yaml", "public: [getLiveness]\nroles:\n  org_member: [getCurrentPrincipal]\n")],
            knownOperations: known
        )
        #expect(policy.decide(operationID: "getLiveness", role: nil) == .allow)
        #expect(policy.decide(operationID: "getCurrentPrincipal", role: nil) == .unauthenticated)
        #expect(policy.decide(operationID: "getCurrentPrincipal", role: "org_member") == .allow)
        #expect(policy.decide(operationID: "login", role: "org_member") == .forbidden)
        #expect(policy.decide(operationID: "getCurrentPrincipal", role: "auditor") == .forbidden)
    }

    @Test func unknownOperationStopsLoadingWithFileAndLine() throws {
        let error = #expect(throws: AccessPolicy.Invalid.self) {
            try AccessPolicy(
                files: [("Policies/roles.yaml", "public:\n  - getLiveness\nroles:\n  org_admin:\n    - deleteEverything\n")],
                knownOperations: known
            )
        }
        #expect(error?.file == "Policies/roles.yaml")
        #expect(error?.line == 5)
        #expect(error?.description.contains("deleteEverything") == true)
    }
}
