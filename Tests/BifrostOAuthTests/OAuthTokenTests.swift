import Bifrost
import BifrostOAuth
import Foundation
import Testing

/// A workflow's OAuth token is usable only at its provider's API addresses, which only the operator's catalogue
/// declares.
@Suite struct OAuthTokenTests {
    private let token = OAuthToken(
        accessToken: "secret-access-token", tokenType: "Bearer", expiresAt: nil, scopes: [],
        apiBaseURLs: [URL(string: "https://graph.microsoft.com")!, URL(string: "http://127.0.0.1:8123/base")!]
    )

    @Test func theHeaderIsGivenOnlyForTheDeclaredOrigins() throws {
        for allowed in [
            "https://graph.microsoft.com/v1.0/users?$select=mail", "https://GRAPH.microsoft.com:443/beta/me",
            "http://127.0.0.1:8123/other/path",
        ] {
            #expect(
                try token.authorizationHeader(for: URL(string: allowed)!) == "Bearer secret-access-token", "\(allowed)")
        }
        for refused in [
            "http://graph.microsoft.com/v1.0/users", "https://graph.microsoft.com:8443/v1.0/users",
            "https://graph.microsoft.com.evil.example/v1.0/users", "https://evil.example/https://graph.microsoft.com",
            "https://user@graph.microsoft.com/v1.0/users", "http://127.0.0.1:8124/base", "http://localhost:8123/base",
            "/v1.0/users",
        ] {
            #expect(throws: WorkflowError.self, "\(refused)") {
                try token.authorizationHeader(for: URL(string: refused)!)
            }
        }
        let error = #expect(throws: WorkflowError.self) {
            try token.authorizationHeader(for: URL(string: "https://evil.example/x")!)
        }
        #expect(error?.message.contains("https://graph.microsoft.com") == true)
        #expect(error?.message.contains("secret-access-token") == false)
        let nowhere = OAuthToken(accessToken: "t", tokenType: "Bearer", expiresAt: nil, scopes: [], apiBaseURLs: [])
        #expect(throws: WorkflowError.self) {
            try nowhere.authorizationHeader(for: URL(string: "https://graph.microsoft.com")!)
        }
        #expect(nowhere.apiBaseURL == nil)
        #expect(token.apiBaseURL?.absoluteString == "https://graph.microsoft.com")
    }

    @Test func theTokenIsNotInItsDescriptionOrMirror() {
        var dumped = ""
        dump(token, to: &dumped)
        for text in ["\(token)", String(reflecting: token), dumped] {
            #expect(!text.contains("secret-access-token"), "\(text)")
        }
    }

    @Test func theCatalogueDeclaresEachProvidersAPIAndOnlyTheOperatorsFileChangesIt() throws {
        let builtIn = try OAuthProviderCatalogue.load()
        #expect(builtIn.providers["microsoft"]?.apiBaseURLs == [URL(string: "https://graph.microsoft.com")!])
        #expect(builtIn.providers["google"]?.apiBaseURLs == [URL(string: "https://www.googleapis.com")!])
        #expect(builtIn.providers["github"]?.apiBaseURLs == [URL(string: "https://api.github.com")!])
        #expect(builtIn.providers["generic"]?.apiBaseURLs == [])

        let operators = try OAuthProviderCatalogue.parse(
            """
            generic:
              api_base_urls: [https://api.example.com, https://files.example.com:8443]
            """,
            file: "providers.yaml"
        )
        #expect(
            operators.providers["generic"]?.apiBaseURLs.map(\.absoluteString) == [
                "https://api.example.com", "https://files.example.com:8443",
            ])
        for bad in [
            "[ftp://api.example.com]", "[https://api.example.com/?q=1]", "[not a url]", "https://api.example.com",
        ] {
            #expect(throws: OAuthProviderCatalogue.Invalid.self, "\(bad)") {
                try OAuthProviderCatalogue.parse("generic:\n  api_base_urls: \(bad)\n", file: "providers.yaml")
            }
        }
    }
}
