import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import PostgresNIO
import Testing

extension ConsoleBrowserTests {
    /// Queued runs in the browser: a run's live page, its cancellation, log lines arriving over Server-Sent Events
    /// from another replica before the final status, the history with its filters, a data provider's dropdown, and
    /// a member who sees neither another organisation's runs nor the administration.
    ///
    /// The gateway the browser talks to runs no workers, so a queued run waits until the test starts a second
    /// gateway on the same database: the live page is open and following before the run starts, whatever the
    /// machine's load.
    @Test func aQueuedRunIsFollowedLiveCancelledAndFoundInTheHistory() async throws {
        var configuration = GatewayConfiguration()
        configuration.workflows.workers = 0
        try await GatewayHarness.withGatewayAndDatabase(configuration: configuration, live: true) { client, context in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let database = context.database
            let contoso = try await AuthFixtures.createOrganization("Contoso", on: database)
            let fabrikam = try await AuthFixtures.createOrganization("Fabrikam", on: database)
            _ = try await AuthFixtures.createUser("root@msp.example", role: .platformAdmin, on: database)
            _ = try await AuthFixtures.createUser(
                "tech@fabrikam.example", role: .orgMember, organization: fabrikam, on: database)

            try await WebDriver.withBrowser { browser in
                try await Self.signIn(browser, at: base, as: "root@msp.example")
                try await Self.pickScope(browser, "Contoso")

                // A queued run opens its live page; cancelled while it waits, it ends Cancelled.
                try await browser.open(base + "/console#/workflows/bulk_import")
                try await browser.type("#field-items", "alpha\nbeta\ngamma")
                try await browser.click("#workflow-form button[type=submit]")
                try await browser.waitForText("#run-status") { $0.contains("Pending") }
                let cancelled = try await browser.script("return location.hash.split('/')[2]") as? String ?? ""
                try await browser.click("#cancel-run")
                try await browser.waitForText("#run-status") { $0.contains("Cancelled") }

                // Another run, followed live: the page records how many log lines it shows when the final status
                // arrives.
                try await browser.open(base + "/console#/workflows/bulk_import")
                try await browser.type("#field-items", "alpha\nbeta\ngamma")
                try await browser.click("#workflow-form button[type=submit]")
                try await browser.waitForText("#run-status") { $0.contains("Pending") }
                _ = try await browser.script(
                    """
                    window.linesAtFinal = null;
                    new MutationObserver(() => {
                      const shown = document.querySelector('#run-status [data-status]')?.dataset.status;
                      if (window.linesAtFinal === null && shown === 'Success') {
                        window.linesAtFinal = document.querySelectorAll('#run-log li').length;
                      }
                    }).observe(document.getElementById('view'), { subtree: true, childList: true });
                    """)
                let dependencies = try await GatewayHarness.dependencies(database: database)
                try await GatewayHarness.withGateway(dependencies) { _, _ in
                    try await browser.waitForText("#run-status") { $0.contains("Success") }
                }
                let log = try await browser.text("#run-log")
                #expect(log.contains("Imported item 1 of 3") && log.contains("Imported item 3 of 3"))
                #expect(try await browser.script("return window.linesAtFinal") as? Int == 3)
                #expect(try await browser.text("#run-outcome").contains("imported"))
                try await browser.screenshot(to: Self.artifacts.appending(path: "live-run.png"))

                // The history lists both runs, filters by status, and opens a run's page with its input and log.
                try await browser.open(base + "/console#/runs")
                try await browser.waitForText("#run-list") { $0.contains("Cancelled") && $0.contains("Success") }
                try await browser.select("#filter-status", label: "Cancelled")
                try await browser.click("#run-filters button[type=submit]")
                try await browser.waitForText("#run-list") { !$0.contains("Success") && $0.contains("Cancelled") }
                try await browser.screenshot(to: Self.artifacts.appending(path: "history.png"))
                try await browser.click("[data-run='\(cancelled)']")
                try await browser.waitForText("#run-input") { $0.contains("gamma") }
                #expect(try await browser.text("#run-status").contains("Cancelled"))

                // A data provider fills its dropdown for the organisation; the chosen value is what runs.
                try await browser.open(base + "/console#/workflows/assign_user")
                try await browser.select("#field-department", label: "Sales")
                try await browser.click("#workflow-form button[type=submit]")
                let assigned = try await browser.waitForText("#run") { $0.contains("Status: Success") }
                #expect(assigned.contains("sales"))

                // Fabrikam's workflow limited to a role its member lacks: the member no longer sees it.
                try await Self.pickScope(browser, "Fabrikam")
                try await browser.open(base + "/console#/workflows/assign_user")
                try await browser.type("#access-roles", "helpdesk")
                try await browser.click("#access form button[type=submit]")
                try await browser.waitForText("#access-effective") { $0.contains("helpdesk") }
                try await browser.screenshot(to: Self.artifacts.appending(path: "workflow-access.png"))

                // A member of another organisation sees none of these runs, only the workflows they may run, no
                // administration in the menu, and is refused the pages when going to them directly.
                try await browser.click("#sign-out")
                try await Self.signIn(browser, at: base, as: "tech@fabrikam.example")
                let offered = try await browser.waitForText("#workflow-list") { $0.contains("create_user") }
                #expect(!offered.contains("assign_user") && !offered.contains("create_user_with_license"))
                try await browser.open(base + "/console#/runs")
                try await browser.waitForText("#run-list") { $0.contains("No run matches") }
                #expect(!(try await browser.text("#menu")).contains("Users"))
                try await browser.open(base + "/console#/runs/\(cancelled)")
                try await browser.waitForText("#view") {
                    $0.contains("could not be read") || $0.contains("No execution")
                }
                try await browser.open(base + "/console#/admin/users")
                try await browser.waitForText("#admin-list") { $0.contains("You may not see this page") }
                try await browser.screenshot(to: Self.artifacts.appending(path: "member-refused.png"))
            }
            let organizations = try await database.query(
                "SELECT DISTINCT organization_id FROM executions", logger: TestPostgres.logger)
            var seen: Set<UUID?> = []
            for try await organization in organizations.decode(UUID?.self) { seen.insert(organization) }
            #expect(seen == [contoso])
        }
    }
}
