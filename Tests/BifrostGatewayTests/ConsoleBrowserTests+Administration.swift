import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

extension ConsoleBrowserTests {
    /// Administration in the browser: an OAuth connection connected with the Connect button against the loopback
    /// provider (the browser goes there and back), an API key shown once that then works, a secret that is never
    /// shown, organisations created and deactivated, and a screenshot of every administration page, one of them
    /// in a narrow window.
    @Test func anAdministratorConnectsOAuthCreatesAKeyOnceAndManagesTenants() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            var configuration = GatewayConfiguration()
            configuration.oauth.redirectURL = provider.callbackRelayURL
            try await GatewayHarness.withGatewayAndDatabase(
                configuration: configuration, live: true, oauthProviders: try provider.catalogue
            ) { client, context in
                let base = "http://127.0.0.1:\(try #require(client.port))"
                provider.forwardCallbacks(to: base)
                let database = context.database
                _ = try await AuthFixtures.createOrganization("Contoso", on: database)
                _ = try await AuthFixtures.createUser("root@msp.example", role: .platformAdmin, on: database)

                try await WebDriver.withBrowser { browser in
                    try await Self.signIn(browser, at: base, as: "root@msp.example")
                    try await Self.pickScope(browser, "Contoso")

                    // A connection made in the console, then connected: the browser goes to the provider and
                    // comes back to the console, which shows the new status.
                    try await browser.open(base + "/console#/admin/oauth")
                    try await browser.type("#new-connection-name", "graph")
                    try await browser.type("#new-connection-client_id", provider.clientID)
                    try await browser.type("#new-connection-client_secret", provider.clientSecret)
                    try await browser.type("#new-connection-scopes", "User.Read.All offline_access")
                    try await browser.click("#new-connection button[type=submit]")
                    try await browser.waitForText("[data-connection=graph]") { $0 == "not_connected" }
                    try await browser.click("[data-connect=graph]")
                    try await browser.waitForText("[data-connection=graph]") { $0 == "connected" }
                    #expect(try await browser.text("#admin-feedback").contains("Connected: graph"))
                    #expect(try await browser.script("return location.pathname") as? String == "/console")
                    #expect(provider.tokenRequests("authorization_code") == 1)
                    try await browser.screenshot(to: Self.artifacts.appending(path: "oauth.png"))

                    // A new API key is shown once, and works; the list shows its prefix only.
                    try await browser.open(base + "/console#/admin/keys")
                    try await browser.type("#new-key-name", "ci")
                    try await browser.click("#new-key button[type=submit]")
                    let key = try await browser.text("#new-key-value")
                    #expect(key.hasPrefix("bfk_"))
                    try await browser.screenshot(to: Self.artifacts.appending(path: "api-key-once.png"))
                    let me = try await client.execute(
                        uri: "/auth/me", method: .get, headers: [.authorization: "Bearer " + key]
                    ) { $0.status }
                    #expect(me == .ok)
                    try await browser.open(base + "/console#/admin/users")
                    try await browser.open(base + "/console#/admin/keys")
                    try await browser.waitForText("#admin-list") { $0.contains("ci") }
                    #expect(!(try await browser.text("body")).contains(key))

                    // A secret is written and listed by name; its value appears nowhere on the page.
                    try await browser.open(base + "/console#/admin/secrets")
                    try await browser.type("#write-secret-name", "psa_token")
                    try await browser.type("#write-secret-value", "s3cr3t-value-4711")
                    try await browser.click("#write-secret button[type=submit]")
                    try await browser.waitForText("#admin-list") { $0.contains("psa_token") }
                    let page = try await browser.script("return document.documentElement.outerHTML") as? String
                    #expect(page?.contains("s3cr3t-value-4711") == false)
                    try await browser.screenshot(to: Self.artifacts.appending(path: "secrets.png"))

                    // Organisations: one created (its name written as markup stays text), then deactivated.
                    try await Self.pickScope(browser, "Global scope")
                    try await browser.open(base + "/console#/admin/organizations")
                    try await browser.type("#new-organization-name", "<b>Northwind</b>")
                    try await browser.click("#new-organization button[type=submit]")
                    try await browser.waitForText("#admin-list") { $0.contains("<b>Northwind</b>") }
                    try await browser.click("[data-organization='<b>Northwind</b>']")
                    try await browser.waitForText("[data-organization='<b>Northwind</b>']") { $0 == "Activate" }
                    let active = try await database.query(
                        "SELECT is_active FROM organizations WHERE name = '<b>Northwind</b>'",
                        logger: TestPostgres.logger)
                    var states: [Bool] = []
                    for try await state in active.decode(Bool.self) { states.append(state) }
                    #expect(states == [false])
                    try await browser.screenshot(to: Self.artifacts.appending(path: "organizations.png"))

                    // Every other administration page opens and lists, and on every page each control has a
                    // label a screen reader announces.
                    let pages = [
                        ("users", "Users"), ("keys", "API keys"), ("secrets", "Secrets"), ("config", "Configuration"),
                        ("oauth", "OAuth connections"), ("endpoints", "Endpoints"), ("schedules", "Schedules"),
                        ("audit", "Audit log"),
                    ]
                    for (name, title) in pages {
                        try await browser.open(base + "/console#/admin/\(name)")
                        try await browser.waitForText("#page-title") { $0 == title }
                        _ = try await browser.element("#view[aria-busy=false]")
                        #expect(!(try await browser.text("#view")).contains("could not be read"))
                        let unlabelled =
                            try await browser.script(
                                """
                                return [...document.querySelectorAll('input, select, textarea')]
                                  .filter((control) => !control.closest('[hidden]'))
                                  .filter((control) => !control.labels?.length && !control.getAttribute('aria-label'))
                                  .map((control) => control.id || control.name || control.outerHTML).join(' ');
                                """) as? String
                        #expect(unlabelled == "", "\(name): \(unlabelled ?? "")")
                        try await browser.screenshot(to: Self.artifacts.appending(path: "admin-\(name).png"))
                    }
                    try await browser.waitForText("#admin-list") { $0.contains("organization.create") }
                    try await browser.resize(width: 400, height: 800)
                    try await browser.open(base + "/console#/workflows")
                    _ = try await browser.element("[data-workflow=create_user]")
                    try await browser.screenshot(to: Self.artifacts.appending(path: "narrow-workflows.png"))
                }
            }
        }
    }
}
