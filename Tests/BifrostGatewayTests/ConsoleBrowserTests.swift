import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

/// The console in a real headless Chromium against a gateway on a loopback socket. Screenshots of the main pages
/// go to `.build/artifacts/console/`.
@Suite struct ConsoleBrowserTests {
    static let artifacts = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        .appending(path: ".build/artifacts/console")

    static func signIn(_ browser: WebDriver, at base: String, as email: String) async throws {
        try await browser.open(base + "/console")
        _ = try await browser.element("#sign-in:not([hidden])")
        try await browser.type("#email", email)
        try await browser.type("#password", AuthFixtures.password)
        try await browser.click("#sign-in-form button[type=submit]")
        try await browser.waitForText("#who") { $0 == email }
    }

    /// Picks the organisation (or global scope) a platform admin acts in, and waits until the page drawn for it
    /// has settled (the view is `aria-busy` while a page loads), so the next step finds the new page's elements.
    static func pickScope(_ browser: WebDriver, _ label: String) async throws {
        try await browser.select("#scope", label: label)
        _ = try await browser.element("#view[aria-busy=false]")
    }

    @Test func aTechnicianRunsWorkflowsFromFormsAndAMemberSeesOnlyTheirOwn() async throws {
        try await GatewayHarness.withGatewayAndDatabase(live: true) { client, context in
            let port = try #require(client.port)
            let base = "http://127.0.0.1:\(port)"
            let database = context.database
            let contoso = try await AuthFixtures.createOrganization("Contoso", on: database)
            let fabrikam = try await AuthFixtures.createOrganization("Fabrikam", on: database)
            _ = try await AuthFixtures.createUser("root@msp.example", role: .platformAdmin, on: database)
            _ = try await AuthFixtures.createUser(
                "tech@fabrikam.example", role: .orgMember, organization: fabrikam, on: database)

            try await WebDriver.withBrowser { browser in
                // A wrong password says so and signs nobody in.
                try await browser.open(base + "/console")
                _ = try await browser.element("#sign-in:not([hidden])")
                try await browser.type("#email", "root@msp.example")
                try await browser.type("#password", "wrong")
                try await browser.click("#sign-in-form button[type=submit]")
                try await browser.waitForText("#sign-in-error") { $0.contains("wrong") }
                try await browser.screenshot(to: Self.artifacts.appending(path: "sign-in.png"))

                try await Self.signIn(browser, at: base, as: "root@msp.example")
                // The session cookie is HttpOnly: no script of the page can read it.
                let readable = try await browser.script("return document.cookie") as? String ?? ""
                #expect(readable.contains("bifrost_csrf") && !readable.contains("bifrost_session"))

                // A platform admin picks an organisation; the workflows are grouped by category.
                try await Self.pickScope(browser, "Contoso")
                _ = try await browser.element("[data-workflow=create_user]")
                try await browser.screenshot(to: Self.artifacts.appending(path: "workflows.png"))

                // A bad address is refused next to its field; a good one runs and shows the result.
                try await browser.click("[data-workflow=create_user]")
                try await browser.type("#field-email", "not an address")
                try await browser.click("#workflow-form button[type=submit]")
                try await browser.waitForText("#field-email-error") { !$0.isEmpty }
                try await browser.screenshot(to: Self.artifacts.appending(path: "field-error.png"))
                try await browser.type("#field-email", "ada@contoso.example")
                try await browser.click("#workflow-form button[type=submit]")
                let result = try await browser.waitForText("#run") { $0.contains("Status: Success") }
                #expect(result.contains("user_id"))
                #expect(try await browser.text("#field-email-error").isEmpty)
                try await browser.screenshot(to: Self.artifacts.appending(path: "result.png"))
                let rows = try await database.query(
                    "SELECT organization_id FROM executions WHERE workflow = 'create_user'", logger: TestPostgres.logger
                )
                var organizations: [UUID?] = []
                for try await organization in rows.decode(UUID?.self) { organizations.append(organization) }
                #expect(organizations == [contoso])

                // Whatever a workflow returns is shown as text: markup in a result runs nothing.
                try await browser.click("#back")
                try await browser.click("[data-workflow=quick_lookup]")
                let markup = #"<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>"#
                try await browser.type("#field-id", markup)
                try await browser.click("#workflow-form button[type=submit]")
                let shown = try await browser.waitForText("#run") { $0.contains("Status: Success") }
                #expect(shown.contains("<script>window.pwned=2</script>"))
                #expect(try await browser.script("return window.pwned === undefined") as? Bool == true)
                try await browser.screenshot(to: Self.artifacts.appending(path: "escaped-result.png"))

                // Signing out returns to the sign-in form; a member then sees their own organisation only, and no
                // workflow kept for administrators.
                try await browser.click("#sign-out")
                _ = try await browser.element("#sign-in:not([hidden])")
                try await Self.signIn(browser, at: base, as: "tech@fabrikam.example")
                _ = try await browser.element("[data-workflow=create_user]")
                #expect(try await browser.script("return document.querySelector('#scope').disabled") as? Bool == true)
                #expect(try await browser.text("#scope") == "Fabrikam")
                let listed = try await browser.text("#workflow-list")
                #expect(!listed.contains("check_secret") && !listed.contains("configure_api"))
                try await browser.screenshot(to: Self.artifacts.appending(path: "member.png"))
            }
        }
    }
}
