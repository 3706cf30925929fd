import AsyncHTTPClient
import BifrostOAuth
import BifrostStore
import BifrostTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

/// The authorization-code flow with PKCE against a real provider on loopback, every refused callback, a run
/// calling Graph with the token, and what another organisation can do with it: nothing.
@Suite struct OAuthFlowTests {
    /// What an admin posts to create a connection to `provider`.
    static func connection(_ name: String, _ provider: FakeOAuthProvider, flow: String = "authorization_code")
        -> [String: Any]
    {
        [
            "name": name, "provider": "microsoft", "flow": flow, "client_id": provider.clientID,
            "client_secret": provider.clientSecret, "authorize_url": provider.authorizeURL,
            "token_url": provider.tokenURL,
            "scopes": ["User.Read.All", "offline_access"],
        ]
    }

    /// Follows an authorization URL as a browser would, up to the provider's redirect: the `code` and `state` it
    /// sends back.
    static func browse(_ authorizationURL: String) async throws -> (code: String, state: String) {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        let response = try await client.execute(HTTPClientRequest(url: authorizationURL), timeout: .seconds(10))
        let location = try #require(response.headers.first(name: "Location"))
        let items = URLComponents(string: location)?.queryItems ?? []
        return (
            try #require(items.first { $0.name == "code" }?.value),
            try #require(items.first { $0.name == "state" }?.value)
        )
    }

    /// Starts an authorization of `name` as `caller`: the state and the provider's code, the provider address,
    /// and the cookie the answer set (as a `Cookie` header value).
    static func authorize(_ name: String, as caller: AdminAPITestClient) async throws
        -> (code: String, state: String, url: String, cookie: String)
    {
        var headers: HTTPFields = [.authorization: "Bearer \(caller.token)"]
        if let organization = caller.organization {
            headers[HTTPField.Name("X-Organization-Id")!] = organization.uuidString
        }
        let (status, body, setCookie) = try await caller.client.execute(
            uri: "/api/oauth/connections/\(name)/authorize", method: .post, headers: headers
        ) { response in
            (
                response.status, try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)),
                response.headers[.setCookie]
            )
        }
        #expect(status == .ok)
        let url = try #require((body as? [String: Any])?["authorization_url"] as? String)
        let cookie = try #require(setCookie?.split(separator: ";").first.map(String.init))
        let (code, state) = try await browse(url)
        return (code, state, url, cookie)
    }

    @Test func anAdminConnectsWithPKCEAndARunCallsGraphWithTheToken() async throws {
        try await FakeOAuthProvider.withProvider { provider in
            try await OrganizationAndUserTests.withWorld(oauthProviders: try provider.catalogue) { world, context in
                let created = try await world.adminA(
                    .post, "/api/oauth/connections", Self.connection("microsoft", provider))
                #expect(created.status == .created)
                let shown = try #require(created.json as? [String: Any])
                #expect(shown["status"] as? String == "not_connected")
                #expect(shown["client_secret"] == nil)
                #expect(
                    try await world.adminA(.post, "/api/oauth/connections", Self.connection("microsoft", provider))
                        .status == .conflict)

                // The authorization address carries an S256 challenge and a state, and the callback address.
                let first = try await Self.authorize("microsoft", as: world.adminA)
                let query = URLComponents(string: first.url)?.queryItems ?? []
                #expect(query.first { $0.name == "code_challenge_method" }?.value == "S256")
                #expect(query.first { $0.name == "code_challenge" }?.value?.count == 43)
                #expect(query.first { $0.name == "redirect_uri" }?.value == "http://127.0.0.1:8080/api/oauth/callback")

                // The provider said no: refused (its description is not repeated), and that state is spent.
                let denied = try await context.client.execute(
                    uri: "/api/oauth/callback?state=\(first.state)&error=access_denied&error_description=no%20way",
                    method: .get, headers: [.cookie: first.cookie]
                ) { ($0.status, String(buffer: $0.body)) }
                #expect(denied.0 == .badRequest)
                #expect(denied.1.contains("access_denied") && !denied.1.contains("no way"))
                #expect(try await Self.callback(first.code, first.state, context, cookie: first.cookie) == .badRequest)
                // Unknown states and expired ones are refused.
                #expect(try await Self.callback(first.code, "made-up", context) == .badRequest)
                let late = try await Self.authorize("microsoft", as: world.adminA)
                try await context.database.query(
                    "UPDATE oauth_states SET expires_at = now() - interval '1 minute'", logger: TestPostgres.logger)
                #expect(try await Self.callback(late.code, late.state, context, cookie: late.cookie) == .badRequest)

                // A state organisation B started, brought back by A's admin: refused, and B's connection unchanged.
                #expect(
                    try await world.adminB(.post, "/api/oauth/connections", Self.connection("microsoft", provider))
                        .status == .created)
                let bs = try await Self.authorize("microsoft", as: world.adminB)
                let crossed = try await world.adminA(.get, "/api/oauth/callback?code=\(bs.code)&state=\(bs.state)")
                #expect(crossed.status == .forbidden)
                #expect(
                    (try await world.adminB(.get, "/api/oauth/connections/microsoft").json as? [String: Any])?["status"]
                        as? String == "not_connected")

                // The real thing.
                let good = try await Self.authorize("microsoft", as: world.adminA)
                #expect(try await Self.callback(good.code, good.state, context, cookie: good.cookie) == .ok)
                // A code is used once.
                #expect(try await Self.callback(good.code, good.state, context, cookie: good.cookie) == .badRequest)
                let connected = try #require(
                    try await world.adminA(.get, "/api/oauth/connections/microsoft").json as? [String: Any])
                #expect(connected["status"] as? String == "connected")
                #expect(connected["expires_at"] != nil)
                #expect(provider.tokenRequests("authorization_code") == 1)

                // A run gets the token and calls Graph (where the catalogue says it is) with it; the token is nowhere
                // in what the run kept.
                let (_, ran) = try await world.adminA(.post, "/api/workflows/list_m365_users/execute", ["input": [:]])
                let run = try #require(ran as? [String: Any])
                let users = try #require((run["result"] as? [String: Any])?["users"] as? [[String: Any]])
                #expect(users.map { $0["email"] as? String } == ["adele@contoso.example", "alex@contoso.example"])

                // Organisation B sees none of A's connection and cannot use, refresh or delete it.
                #expect((try await world.adminB(.get, "/api/oauth/connections").json as? [[String: Any]])?.count == 1)
                try await context.database.query(
                    "DELETE FROM oauth_connections WHERE organization_id = \(world.orgB)", logger: TestPostgres.logger)
                #expect(try await world.adminB(.get, "/api/oauth/connections/microsoft").status == .notFound)
                #expect(try await world.adminB(.post, "/api/oauth/connections/microsoft/refresh").status == .notFound)
                #expect(try await world.adminB(.delete, "/api/oauth/connections/microsoft").status == .notFound)
                let (_, bRun) = try await world.adminB(.post, "/api/workflows/list_m365_users/execute", ["input": [:]])
                #expect((bRun as? [String: Any])?["status"] as? String == "Failed")
                #expect(try await world.memberA(.get, "/api/oauth/connections").status == .forbidden)

                // No token or client secret is stored in the clear, anywhere.
                try await Self.expectNowhere(provider.issuedTokens + [provider.clientSecret], in: context.database)
            }
        }
    }

    static func callback(_ code: String, _ state: String, _ context: GatewayHarness.Context, cookie: String? = nil)
        async throws -> HTTPResponse.Status
    {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await context.client.execute(
            uri: "/api/oauth/callback?code=\(code)&state=\(state)", method: .get, headers: headers
        ) { $0.status }
    }

    static func expectNowhere(_ values: [String], in database: PostgresClient) async throws {
        let tables = try await database.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'", logger: TestPostgres.logger)
        var names: [String] = []
        for try await name in tables.decode(String.self) { names.append(name) }
        for table in names {
            for value in values {
                let rows = try await database.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT count(*) FROM \(table) AS t WHERE strpos(t::text, $1) > 0",
                        binds: {
                            var binds = PostgresBindings()
                            binds.append(value)
                            return binds
                        }()),
                    logger: TestPostgres.logger
                )
                for try await count in rows.decode(Int.self) { #expect(count == 0, "\(table) holds a token or secret") }
            }
        }
    }
}
