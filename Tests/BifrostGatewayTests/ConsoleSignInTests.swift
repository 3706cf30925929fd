import AsyncHTTPClient
import BifrostRuntime
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

@testable import BifrostGateway

/// "Sign in with Microsoft" in the console, over HTTP against a real OpenID Connect issuer on loopback
/// (`OIDCTestIssuer`): the authorization code flow with PKCE ending in the console's cookie session, and every way
/// it is refused.
@Suite struct ConsoleSignInTests {
    static let audience = "api://bifrost-tests"
    static let clientID = "console-client"
    static let clientSecret = "console-client-secret"

    /// A gateway offering sign-in through `issuer` (multi-tenant) as the confidential client `clientID`, whose
    /// public address is the issuer's relay (the in-process gateway has no port of its own).
    static func configuration(_ issuer: OIDCTestIssuer, provisionUsers: Bool = false) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        configuration.oauth.redirectURL = issuer.gatewayAddressRelay
        // The issuer shares the machine with the whole suite: a fetch that timed out would be fetched again.
        configuration.oidc.keyFetchTimeout = .seconds(60)
        configuration.oidc.issuers = [
            .init(
                name: "entra", issuer: issuer.multiTenantIssuer, audience: audience, jwksURI: issuer.jwksURI,
                provisionUsers: provisionUsers,
                signIn: .init(
                    authorizeURL: issuer.authorizeURL, tokenURL: issuer.tokenURL, clientID: clientID,
                    clientSecret: clientSecret)
            )
        ]
        issuer.registerClient(clientID, secret: clientSecret)
        return configuration
    }

    /// An organisation linked to a new Entra tenant, with `email` as its admin: the tenant and the user.
    static func tenantUser(_ email: String, on database: PostgresClient) async throws -> (UUID, User) {
        let tenant = UUID()
        let organization = try await PostgresOrganizationRepository(client: database, logger: TestPostgres.logger)
            .create(name: "Contoso \(tenant.uuidString.prefix(4))", domain: nil, entraTenantID: tenant).id
        return (
            tenant, try await AuthFixtures.createUser(email, role: .orgAdmin, organization: organization, on: database)
        )
    }

    static func claims(_ issuer: OIDCTestIssuer, tenant: UUID, email: String) -> IDTokenClaims {
        IDTokenClaims(
            issuer: issuer.issuer(tenantID: tenant), audience: "set by the issuer", tenantID: tenant, email: email)
    }

    /// What `GET /console/sign-in/entra` answered: where it sends the browser, and the attempt's cookie.
    struct Started {
        var location: URLComponents
        var cookie: (value: String, attributes: String)

        func query(_ name: String) -> String? { location.queryItems?.first { $0.name == name }?.value }
    }

    static func start(_ client: any TestClientProtocol) async throws -> Started {
        try await client.execute(uri: "/console/sign-in/entra", method: .get) { response in
            #expect(response.status == .seeOther)
            let location = try #require(response.headers[.location])
            return Started(
                location: try #require(URLComponents(string: location)),
                cookie: try #require(ConsoleSessionTests.cookies(response)["bifrost_sign_in"])
            )
        }
    }

    /// Follows the authorize address as a browser would, up to the issuer's redirect: its query.
    static func authorize(_ started: Started) async throws -> [String: String] {
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = http.shutdown() }
        let url = try #require(started.location.string)
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let header = try #require(response.headers.first(name: "Location"))
        let location = try #require(URLComponents(string: header))
        #expect(location.path == "/console/sign-in/entra/callback")
        return Dictionary((location.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
    }

    /// The gateway's answer at the callback: its status, `Location` and cookies.
    static func callback(
        _ client: any TestClientProtocol, _ query: [String: String], cookie: String?
    ) async throws -> (HTTPResponse.Status, String, [String: (value: String, attributes: String)]) {
        var components = URLComponents()
        components.path = "/console/sign-in/entra/callback"
        components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = "bifrost_sign_in=\(cookie)" }
        return try await client.execute(uri: try #require(components.string), method: .get, headers: headers) {
            ($0.status, $0.headers[.location] ?? "", ConsoleSessionTests.cookies($0))
        }
    }

    /// The text a failed sign-in sends the browser back with.
    static func signInError(_ location: String) -> String? {
        guard location.hasPrefix("/console#/?") else { return nil }
        return URLComponents(string: "/?" + location.dropFirst("/console#/?".count))?.queryItems?
            .first { $0.name == "sign_in_error" }?.value
    }

    @Test func aFullSignInEndsInCookiesThatWorkAndIsAudited() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await GatewayHarness.withGatewayAndDatabase(configuration: Self.configuration(issuer)) {
                client, context in
                let (tenant, user) = try await Self.tenantUser("ada@contoso.example", on: context.database)
                issuer.signIn(as: Self.claims(issuer, tenant: tenant, email: "Ada@Contoso.example"))

                let offered = try await client.execute(uri: "/console/sign-in", method: .get) {
                    (
                        $0.status,
                        try JSONSerialization.jsonObject(with: Data(String(buffer: $0.body).utf8))
                            as? [[String: String]]
                    )
                }
                #expect(offered.0 == .ok)
                #expect(offered.1 == [["name": "entra", "label": "Sign in with Microsoft"]])

                // The browser goes to the issuer with a code request bound to PKCE and a nonce…
                let started = try await Self.start(client)
                #expect(started.location.string?.hasPrefix(issuer.authorizeURL + "?") == true)
                #expect(started.query("response_type") == "code")
                #expect(started.query("client_id") == Self.clientID)
                #expect(started.query("redirect_uri") == issuer.baseURL + "/console/sign-in/entra/callback")
                #expect(started.query("scope") == "openid profile email")
                #expect(started.query("code_challenge_method") == "S256")
                #expect(started.query("response_mode") == "query")
                let state = try #require(started.query("state"))
                let nonce = try #require(started.query("nonce"))
                #expect(state.count == 43 && nonce.count == 43 && state != nonce)
                // …keeping the attempt in a cookie no script reads, sent back on the issuer's redirect only.
                let attributes = started.cookie.attributes
                for attribute in ["HttpOnly", "SameSite=Lax", "Path=/console/sign-in", "Max-Age=600"] {
                    #expect(attributes.contains(attribute), "\(attribute)")
                }
                #expect(!attributes.contains("Secure"))
                #expect(!started.cookie.value.contains(try #require(started.query("code_challenge"))))

                let answer = try await Self.authorize(started)
                #expect(answer["state"] == state)
                let (status, location, cookies) = try await Self.callback(client, answer, cookie: started.cookie.value)
                #expect(status == .seeOther)
                #expect(location == "/console")
                #expect(cookies["bifrost_sign_in"]?.attributes.contains("Max-Age=0") == true)
                let session = try #require(cookies["bifrost_session"])
                #expect(session.attributes.contains("HttpOnly") && session.attributes.contains("SameSite=Strict"))
                #expect(try #require(cookies["bifrost_refresh"]).attributes.contains("Path=/console/session"))
                #expect(cookies["bifrost_csrf"] != nil)

                let me = try await client.execute(
                    uri: "/auth/me", method: .get, headers: [.cookie: ConsoleSessionTests.cookieHeader(cookies)]
                ) { ($0.status, AuthFixtures.json($0)) }
                #expect(me.0 == .ok)
                #expect(me.1["user_id"] as? String == user.id.uuidString.lowercased())
                #expect(me.1["email"] as? String == "ada@contoso.example")

                // The refresh cookie works as a password session's does.
                var refresh: HTTPFields = [.cookie: ConsoleSessionTests.cookieHeader(cookies)]
                refresh[HTTPField.Name("X-CSRF-Token")!] = try #require(cookies["bifrost_csrf"]).value
                #expect(
                    try await client.execute(uri: "/console/session/refresh", method: .post, headers: refresh) {
                        $0.status
                    } == .ok)

                let audit = try await PostgresAuditLog(client: context.database, logger: TestPostgres.logger)
                    .list(.everything, limit: 20)
                #expect(
                    audit.contains {
                        $0.event.action == "auth.login" && $0.event.outcome == "success" && $0.event.actorID == user.id
                            && $0.event.targetID == "oidc:entra"
                    })
                // The code is spent: the same answer again signs nobody in.
                let replay = try await Self.callback(client, answer, cookie: started.cookie.value)
                #expect(replay.1.hasPrefix("/console#/?sign_in_error="))
                #expect(replay.2["bifrost_session"] == nil)
            }
        }
    }

    @Test func aWrongStateOrNoCookieIsRefusedBeforeTheCodeIsRedeemed() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await GatewayHarness.withGatewayAndDatabase(configuration: Self.configuration(issuer)) {
                client, context in
                let (tenant, _) = try await Self.tenantUser("ada@contoso.example", on: context.database)
                issuer.signIn(as: Self.claims(issuer, tenant: tenant, email: "ada@contoso.example"))
                let started = try await Self.start(client)
                var answer = try await Self.authorize(started)
                let other = try await Self.start(client)

                // Another attempt's cookie (a link started in another browser), no cookie, or a forged state.
                var forged = answer
                forged["state"] = String(repeating: "A", count: 43)
                for (query, cookie) in [
                    (answer, other.cookie.value), (answer, nil), (forged, started.cookie.value),
                    (answer, "entra.garbage"),
                ] {
                    let (status, location, cookies) = try await Self.callback(client, query, cookie: cookie)
                    #expect(status == .seeOther)
                    #expect(Self.signInError(location)?.contains("started elsewhere") == true, "\(location)")
                    #expect(cookies["bifrost_session"] == nil)
                    #expect(cookies["bifrost_sign_in"]?.attributes.contains("Max-Age=0") == true)
                }
                #expect(issuer.codeRedemptions == 0)

                // The issuer's refusal is shown by its code only, never its description.
                issuer.signIn(as: nil)
                let refused = try await Self.start(client)
                answer = try await Self.authorize(refused)
                #expect(answer["error"] == "access_denied")
                let (_, location, _) = try await Self.callback(client, answer, cookie: refused.cookie.value)
                let shown = try #require(Self.signInError(location))
                #expect(shown.contains("access_denied") && !shown.contains("AADSTS"))
            }
        }
    }

    @Test func aVerifierTheIssuerDidNotSeeIsRefusedByIt() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await GatewayHarness.withGatewayAndDatabase(configuration: Self.configuration(issuer)) {
                client, context in
                let (tenant, _) = try await Self.tenantUser("ada@contoso.example", on: context.database)
                issuer.signIn(as: Self.claims(issuer, tenant: tenant, email: "ada@contoso.example"))
                let started = try await Self.start(client)
                let answer = try await Self.authorize(started)
                // The attempt's state and nonce, with a verifier of another attempt.
                let parts = started.cookie.value.split(separator: ".").map(String.init)
                let other = try await Self.start(client).cookie.value.split(separator: ".").map(String.init)
                let swapped = [parts[0], parts[1], parts[2], other[3]].joined(separator: ".")
                let (status, location, cookies) = try await Self.callback(client, answer, cookie: swapped)
                #expect(status == .seeOther)
                #expect(Self.signInError(location)?.contains("invalid_grant") == true, "\(location)")
                #expect(cookies["bifrost_session"] == nil)
                #expect(issuer.codeRedemptions == 1)
            }
        }
    }

    @Test func anUnknownOrInactiveUserIsSentBackWithTheReasonAndAudited() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            try await GatewayHarness.withGatewayAndDatabase(configuration: Self.configuration(issuer)) {
                client, context in
                let (tenant, user) = try await Self.tenantUser("ada@contoso.example", on: context.database)
                issuer.signIn(as: Self.claims(issuer, tenant: tenant, email: "stranger@contoso.example"))
                let started = try await Self.start(client)
                let (status, location, cookies) = try await Self.callback(
                    client, try await Self.authorize(started), cookie: started.cookie.value)
                #expect(status == .seeOther)
                #expect(Self.signInError(location)?.contains("ask an administrator") == true, "\(location)")
                #expect(cookies["bifrost_session"] == nil)
                let users = PostgresUserRepository(client: context.database, logger: TestPostgres.logger)
                #expect(try await users.credentials(forEmail: "stranger@contoso.example") == nil)
                let audit = try await PostgresAuditLog(client: context.database, logger: TestPostgres.logger)
                    .list(.everything, limit: 20)
                #expect(
                    audit.contains {
                        $0.event.action == "auth.login" && $0.event.outcome == "failure"
                            && $0.event.actorLabel == "stranger@contoso.example" && $0.event.targetID == "oidc:entra"
                    })

                // A deactivated account stays refused, however its issuer vouches for it.
                try await context.database.query(
                    "UPDATE users SET is_active = false WHERE id = \(user.id)", logger: TestPostgres.logger)
                issuer.signIn(as: Self.claims(issuer, tenant: tenant, email: "ada@contoso.example"))
                let again = try await Self.start(client)
                let inactive = try await Self.callback(
                    client, try await Self.authorize(again), cookie: again.cookie.value)
                #expect(Self.signInError(inactive.1)?.contains("inactive") == true, "\(inactive.1)")
                #expect(inactive.2["bifrost_session"] == nil)
            }
        }
    }

    @Test func anIssuerWithoutSignInIsNotOfferedAndCookiesAreSecureBehindHTTPS() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            var configuration = Self.configuration(issuer)
            configuration.oidc.issuers[0].signIn = nil
            try await GatewayHarness.withGatewayAndDatabase(configuration: configuration) { client, _ in
                #expect(
                    try await client.execute(uri: "/console/sign-in", method: .get) { String(buffer: $0.body) } == "[]")
                let (status, location, cookies) = try await client.execute(uri: "/console/sign-in/entra", method: .get)
                {
                    ($0.status, $0.headers[.location] ?? "", ConsoleSessionTests.cookies($0))
                }
                #expect(status == .seeOther)
                #expect(cookies["bifrost_sign_in"]?.attributes.contains("Max-Age=0") == true)
                #expect(Self.signInError(location) == "This sign-in is not offered.")
            }
        }
        let attempt = SignInAttempt(issuer: "entra")
        #expect(SignInAttempt(cookieValue: attempt.cookieValue) == attempt)
        #expect(
            SignInAttempt(cookieValue: "Entra." + attempt.cookieValue.split(separator: ".", maxSplits: 1)[1]) == nil)
        let secure = ConsoleCookies(secure: true).startingSignIn(attempt)
        #expect(secure.hasSuffix("; Secure") && secure.contains("SameSite=Lax"))
        #expect(ConsoleSignIn.origin(of: "https://gw.example:8443/api/oauth/callback?x=1") == "https://gw.example:8443")
        #expect(ConsoleSignIn.origin(of: "HTTPS://gw.example") == "https://gw.example")
    }
}
