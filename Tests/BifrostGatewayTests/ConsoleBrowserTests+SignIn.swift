import BifrostTestSupport
import Foundation
import Testing

extension ConsoleBrowserTests {
    /// "Sign in with Microsoft" in the browser against the loopback issuer: the browser goes to the issuer and back
    /// (through the issuer's relay, since the gateway's port is known only once it runs). A user the gateway does not
    /// know is sent back to the form with the reason; a known one lands signed in.
    @Test func signingInWithMicrosoftLandsInTheConsole() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await GatewayHarness.withGatewayAndDatabase(
                configuration: ConsoleSignInTests.configuration(issuer), live: true
            ) { client, context in
                let base = "http://127.0.0.1:\(try #require(client.port))"
                issuer.forwardSignInCallbacks(to: base)
                let (tenant, _) = try await ConsoleSignInTests.tenantUser("ada@contoso.example", on: context.database)

                try await WebDriver.withBrowser { browser in
                    issuer.signIn(as: ConsoleSignInTests.claims(issuer, tenant: tenant, email: "eve@contoso.example"))
                    try await browser.open(base + "/console")
                    _ = try await browser.element("#sign-in:not([hidden])")
                    #expect(try await browser.text("[data-sign-in=entra]") == "Sign in with Microsoft")
                    try await browser.click("[data-sign-in=entra]")
                    try await browser.waitForText("#sign-in-error") { $0.contains("ask an administrator") }
                    // The reason is not kept in the address, so reloading does not show it again.
                    #expect(try await browser.script("return location.hash") as? String == "")
                    try await browser.screenshot(to: Self.artifacts.appending(path: "sign-in-refused.png"))

                    issuer.signIn(as: ConsoleSignInTests.claims(issuer, tenant: tenant, email: "ada@contoso.example"))
                    try await browser.click("[data-sign-in=entra]")
                    try await browser.waitForText("#who") { $0 == "ada@contoso.example" }
                    #expect(try await browser.script("return location.pathname") as? String == "/console")
                    let readable = try await browser.script("return document.cookie") as? String ?? ""
                    #expect(!readable.contains("bifrost_session") && !readable.contains("bifrost_sign_in"))
                    try await browser.screenshot(to: Self.artifacts.appending(path: "signed-in-with-microsoft.png"))
                }
            }
        }
    }
}
