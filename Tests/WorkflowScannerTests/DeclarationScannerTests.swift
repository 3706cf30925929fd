import Testing

@testable import WorkflowScanner

/// What the WorkflowDiscovery plugin finds in a target's sources, and what it must not take for a declaration.
@Suite struct DeclarationScannerTests {
    private func names(_ source: String) -> [String] {
        DeclarationScanner.scan(source).map(\.name)
    }

    @Test func findsWorkflowsAndDataProvidersWhereverTheConformanceIsWritten() {
        let found = DeclarationScanner.scan(
            """
            import Bifrost
            struct A: Workflow { }
            public final class B: Sendable, Bifrost.Workflow {}
            enum Outer {
                struct Inner: Codable, Workflow {}
            }
            struct C {}
            extension C: Workflow {}
            extension Outer {
                struct Deeper: DataProvider { func f() { struct Local: Workflow {} } }
            }
            struct D: DataProvider, Workflow where Self: Sendable {}
            """)
        #expect(
            found.map { "\($0.name):\($0.kind)" } == [
                "A:workflow", "B:workflow", "Outer.Inner:workflow", "C:workflow", "Outer.Deeper:dataProvider",
                "D:workflow", "D:dataProvider",
            ])
        #expect(found.first?.line == 2)
    }

    @Test func commentsStringsAndOtherTypesAreNotDeclarations() {
        #expect(
            names(
                #"""
                // struct A: Workflow {}
                /* struct B: Workflow { /* nested */ struct C: Workflow {} } */
                let text = "struct D: Workflow {}"
                let raw = #"struct E: Workflow {} \"#
                let block = """
                    struct F: Workflow {}
                    """
                struct G: WorkflowHelper {}
                struct H<T>: Workflow {}
                let kind = x.struct
                struct I: Workflow {}
                """#) == ["I"])
    }

    @Test func privateTypesAreReportedSoTheBuildCanSaySo() {
        let found = DeclarationScanner.scan(
            """
            private struct Hidden: Workflow {}
            fileprivate enum P: DataProvider {}
            private enum Outer { struct Inner: Workflow {} }
            enum Open { struct Inner: Workflow {} }
            """)
        #expect(found.map(\.name) == ["Hidden", "P", "Outer.Inner", "Open.Inner"])
        #expect(found.map(\.isPrivate) == [true, true, true, false])
    }

    @Test func typesNestedInGenericTypesAreNotListed() {
        #expect(
            names("struct Box<T> { struct Inner: Workflow {} }\nstruct Plain { struct Inner: Workflow {} }") == [
                "Plain.Inner"
            ])
    }
}
