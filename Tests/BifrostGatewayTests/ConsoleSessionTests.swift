import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import BifrostGateway

/// The console's page and cookie session, over HTTP: strict headers, cookies no script or other site can use, the
/// CSRF echo on every request that changes something, refresh and sign-out.
@Suite struct ConsoleSessionTests {
    /// The cookies a `Set-Cookie` list sets, by name: (value, attributes).
    static func cookies(_ response: TestResponse) -> [String: (value: String, attributes: String)] {
        var found: [String: (String, String)] = [:]
        for header in response.headers[values: .setCookie] {
            let parts = header.split(separator: ";", maxSplits: 1).map(String.init)
            let pair = parts[0].split(separator: "=", maxSplits: 1).map(String.init)
            found[pair[0]] = (pair.count > 1 ? pair[1] : "", parts.count > 1 ? parts[1] : "")
        }
        return found
    }

    static func cookieHeader(_ cookies: [String: (value: String, attributes: String)]) -> String {
        cookies.map { "\($0.key)=\($0.value.value)" }.joined(separator: "; ")
    }

    @Test func thePageIsServedWithAStrictPolicyAndNoInlineScript() async throws {
        try await GatewayHarness.withGatewayAndDatabase { client, _ in
            try await client.execute(uri: "/console", method: .get) { response in
                #expect(response.status == .ok)
                let policy = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                let page = String(buffer: response.body)
                // Every script is a file of this origin; no element carries an inline handler.
                #expect(page.components(separatedBy: "<script").count == 2)
                #expect(page.contains(#"<script type="module" src="/console/app.js"></script>"#))
                #expect(page.range(of: #"\son[a-z]+="#, options: .regularExpression) == nil)
            }
            // Every file of the folder is served, and each script module builds the page without markup strings.
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appending(path: "../../Sources/BifrostGateway/Resources/Console").standardized
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
            #expect(Set(files) == Set(ConsoleAssets.files.keys))
            for file in files where file.hasSuffix(".js") {
                let tag = try await client.execute(uri: "/console/" + file, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
                    let script = String(buffer: response.body)
                    #expect(!script.contains("innerHTML") && !script.contains("insertAdjacentHTML"), "\(file)")
                    #expect(!script.contains("eval(") && !script.contains("new Function"), "\(file)")
                    return response.headers[.eTag]
                }
                // A browser holding the current file is told so, with no body.
                let again = try await client.execute(
                    uri: "/console/" + file, method: .get, headers: [.ifNoneMatch: try #require(tag)]
                ) { ($0.status, $0.body.readableBytes) }
                #expect(again == (.notModified, 0))
                let stale = try await client.execute(
                    uri: "/console/" + file, method: .get, headers: [.ifNoneMatch: #""0000""#]
                ) { $0.status }
                #expect(stale == .ok)
            }
            #expect(try await client.execute(uri: "/console/../Package.swift", method: .get) { $0.status } != .ok)
            #expect(try await client.execute(uri: "/console/secrets.yaml", method: .get) { $0.status } == .notFound)
        }
    }

    @Test func aSessionCookieWorksOnlyWithItsCSRFEchoAndEndsOnSignOut() async throws {
        try await OrganizationAndUserTests.withWorld { world, context in
            let client = context.client
            let wrong = try await client.execute(
                uri: "/console/session", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"email":"admin@contoso.example","password":"nope"}"#)
            ) { ($0.status, Self.cookies($0)) }
            #expect(wrong.0 == .unauthorized)
            #expect(wrong.1.isEmpty)

            let signedIn = try await client.execute(
                uri: "/console/session", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"email":"admin@contoso.example","password":"\#(AuthFixtures.password)"}"#)
            ) { ($0.status, Self.cookies($0)) }
            #expect(signedIn.0 == .ok)
            let cookies = signedIn.1
            let session = try #require(cookies["bifrost_session"])
            #expect(session.attributes.contains("HttpOnly") && session.attributes.contains("SameSite=Strict"))
            #expect(session.attributes.contains("Path=/;") || session.attributes.contains("Path=/ "))
            #expect(try #require(cookies["bifrost_refresh"]).attributes.contains("Path=/console/session"))
            let csrf = try #require(cookies["bifrost_csrf"])
            #expect(!csrf.attributes.contains("HttpOnly"))
            let header = Self.cookieHeader(cookies)

            // Reading needs only the cookie.
            let me = try await client.execute(uri: "/auth/me", method: .get, headers: [.cookie: header]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(me.0 == .ok)
            #expect(me.1.contains("admin@contoso.example"))
            // Changing something needs the echo: without it, or with another value, 403 and nothing done.
            let secret = ByteBuffer(string: #"{"value":"s3cret"}"#)
            for echo in [nil, "forged"] {
                var headers: HTTPFields = [.cookie: header, .contentType: "application/json"]
                if let echo { headers[HTTPField.Name("X-CSRF-Token")!] = echo }
                #expect(
                    try await client.execute(uri: "/api/secrets/api_key", method: .put, headers: headers, body: secret)
                    {
                        $0.status
                    } == .forbidden)
            }
            #expect((try await world.adminA(.get, "/api/secrets").json as? [[String: Any]])?.isEmpty == true)
            var echoed: HTTPFields = [.cookie: header, .contentType: "application/json"]
            echoed[HTTPField.Name("X-CSRF-Token")!] = csrf.value
            let put = try await client.execute(uri: "/api/secrets/api_key", method: .put, headers: echoed, body: secret)
            {
                $0.status
            }
            #expect(put == .ok || put == .created || put == .noContent)

            // Refresh needs the echo too, and spends the refresh token.
            #expect(
                try await client.execute(uri: "/console/session/refresh", method: .post, headers: [.cookie: header]) {
                    $0.status
                } == .forbidden)
            var refreshHeaders: HTTPFields = [.cookie: header]
            refreshHeaders[HTTPField.Name("X-CSRF-Token")!] = csrf.value
            let refreshed = try await client.execute(
                uri: "/console/session/refresh", method: .post, headers: refreshHeaders
            ) { ($0.status, Self.cookies($0)) }
            #expect(refreshed.0 == .ok)
            let renewed = try #require(refreshed.1["bifrost_session"])
            #expect(renewed.value != session.value)

            // Signing out ends the login: the cookies are cleared and the new session token is refused.
            var newHeader = Self.cookieHeader(refreshed.1)
            var endHeaders: HTTPFields = [.cookie: newHeader]
            endHeaders[HTTPField.Name("X-CSRF-Token")!] = try #require(refreshed.1["bifrost_csrf"]).value
            let ended = try await client.execute(uri: "/console/session/end", method: .post, headers: endHeaders) {
                ($0.status, Self.cookies($0))
            }
            #expect(ended.0 == .noContent)
            #expect(ended.1["bifrost_session"]?.attributes.contains("Max-Age=0") == true)
            newHeader = "bifrost_session=\(renewed.value)"
            #expect(
                try await client.execute(uri: "/auth/me", method: .get, headers: [.cookie: newHeader]) { $0.status }
                    == .unauthorized)
        }
    }
}
