import BifrostRuntime
import Configuration
import Foundation
import Testing
import Yams

@Suite struct ConfigurationTests {
    private func load(_ arguments: [String] = [], environment: [String: String] = [:]) async throws
        -> GatewayConfiguration
    {
        try GatewayConfiguration(
            reader: try await ConfigurationSources.reader(arguments: arguments, environment: environment))
    }

    @Test func defaultsApplyWhenNothingIsSet() async throws {
        let configuration = try await load()
        #expect(configuration.http.port == 8080)
        #expect(configuration.http.host == "127.0.0.1")
        #expect(configuration.http.maxBodySize == 1_048_576)
        #expect(configuration.database.url == nil)
        #expect(configuration.dataDirectory == ".bifrost")
        #expect(configuration.log.level == .info)
        #expect(configuration.http.eventLoops == max(1, ProcessInfo.processInfo.activeProcessorCount / 2))
        #expect(configuration.database.minConnections == configuration.database.maxConnections)
        #expect(configuration.database.keepAlive == nil)
    }

    @Test func thePoolKeepsAtMostItsMaximumOpenAndChecksUnusedConnectionsOnlyWhenAsked() async throws {
        let small = try await load(environment: ["BIFROST_DATABASE_MAX_CONNECTIONS": "2"])
        #expect(small.database.minConnections == 2)
        let configured = try await load(["--database-min-connections", "6", "--database-keep-alive", "45"])
        #expect(configured.database.maxConnections == 20)
        #expect(configured.database.minConnections == 6)
        #expect(configured.database.keepAlive == .seconds(45))
        let off = try await load(environment: ["BIFROST_DATABASE_KEEP_ALIVE": "0"])
        #expect(off.database.keepAlive == nil)
        let error = await #expect(throws: ConfigurationError.self) {
            try await load(environment: [
                "BIFROST_DATABASE_MAX_CONNECTIONS": "5", "BIFROST_DATABASE_MIN_CONNECTIONS": "6",
            ])
        }
        #expect(error?.key == "database.minConnections")
    }

    @Test func environmentOverridesAndFlagsOverrideTheEnvironment() async throws {
        let environment = [
            "BIFROST_HTTP_PORT": "9001", "BIFROST_HTTP_MAX_BODY_SIZE": "2048", "BIFROST_LOG_FORMAT": "json",
        ]
        let fromEnvironment = try await load(environment: environment)
        #expect(fromEnvironment.http.port == 9001)
        #expect(fromEnvironment.http.maxBodySize == 2048)
        #expect(fromEnvironment.log.format == .json)
        let fromFlag = try await load(["--http-port", "9002", "--http-event-loops", "3"], environment: environment)
        #expect(fromFlag.http.port == 9002)
        #expect(fromFlag.http.eventLoops == 3)
    }

    @Test func databaseURLFromTheEnvironmentIsParsedAndNeverShown() async throws {
        let configuration = try await load(environment: ["BIFROST_DATABASE_URL": "postgres://u:s3cret@db:5433/x"])
        #expect(configuration.database.url?.port == 5433)
        #expect(configuration.database.url?.description.contains("s3cret") == false)
        let error = await #expect(throws: ConfigurationError.self) {
            try await load(environment: ["BIFROST_DATABASE_URL": "mysql://u:s3cret@db/x"])
        }
        #expect(error?.key == "database.url")
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test(arguments: [
        ("BIFROST_HTTP_PORT", "abc", "http.port"),
        ("BIFROST_HTTP_PORT", "70000", "http.port"),
        ("BIFROST_LOG_LEVEL", "loud", "log.level"),
        ("BIFROST_LOG_FORMAT", "xml", "log.format"),
        ("BIFROST_HTTP_MAX_BODY_SIZE", "-1", "http.maxBodySize"),
        ("BIFROST_HTTP_EVENT_LOOPS", "0", "http.eventLoops"),
    ])
    func badValueIsRefusedNamingTheKeyAndTheValue(variable: String, value: String, key: String) async throws {
        let error = await #expect(throws: ConfigurationError.self) { try await load(environment: [variable: value]) }
        #expect(error?.key == key)
        #expect(error?.description.contains("\"\(value)\"") == true)
        #expect(error?.description.contains(variable) == true)
    }

    @Test func environmentVariableAndFlagNamesFollowTheKey() {
        #expect(ConfigurationKeys.environmentVariable(for: "http.maxBodySize") == "BIFROST_HTTP_MAX_BODY_SIZE")
        #expect(ConfigurationKeys.flag(for: "database.embedded.binDirectory") == "database-embedded-bin-directory")
    }

    /// The shipped defaults file and the table of `docs/configuration.md` must describe the same keys the code reads.
    @Test func shippedDefaultsFileMatchesTheBuiltInDefaults() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = root.appendingPathComponent("Config/bifrost.yaml").path
        let fromFile = try await load(["--config-file", file])
        let builtIn = GatewayConfiguration()
        #expect(fromFile.http.port == builtIn.http.port)
        #expect(fromFile.http.maxBodySize == builtIn.http.maxBodySize)
        #expect(fromFile.http.shutdownTimeout == builtIn.http.shutdownTimeout)
        #expect(fromFile.workflows.workers == builtIn.workflows.workers)
        #expect(fromFile.workflows.drainTimeout == builtIn.workflows.drainTimeout)
        #expect(fromFile.workflows.leaseTimeout == builtIn.workflows.leaseTimeout)
        #expect(fromFile.workflows.retention == builtIn.workflows.retention)
        #expect(fromFile.database.maxConnections == builtIn.database.maxConnections)
        #expect(fromFile.database.minConnections == builtIn.database.minConnections)
        #expect(fromFile.database.keepAlive == builtIn.database.keepAlive)
        #expect(fromFile.dataDirectory == builtIn.dataDirectory)
        #expect(fromFile.log.level == builtIn.log.level)
        #expect(fromFile.oidc.keyRefetchInterval == builtIn.oidc.keyRefetchInterval)
        #expect(fromFile.oidc.issuers.isEmpty)

        let reference = try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for key in GatewayConfiguration.documentedKeys {
            #expect(reference.contains("`\(key)`"), "docs/configuration.md lacks \(key)")
            #expect(
                reference.contains(ConfigurationKeys.environmentVariable(for: key)),
                "docs/configuration.md lacks the variable of \(key)")
        }
    }

    @Test func oidcIssuersAreReadByNameAndIncompleteOnesAreRefused() async throws {
        let environment = [
            "BIFROST_OIDC_ISSUERS": "entra, partner",
            "BIFROST_OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/{tenantid}/v2.0",
            "BIFROST_OIDC_ENTRA_AUDIENCE": "api://bifrost",
            "BIFROST_OIDC_ENTRA_JWKS_URI": "https://login.microsoftonline.com/common/discovery/v2.0/keys",
            "BIFROST_OIDC_ENTRA_PROVISION_USERS": "true",
            "BIFROST_OIDC_PARTNER_ISSUER": "https://login.microsoftonline.com/5c2a/v2.0",
            "BIFROST_OIDC_PARTNER_AUDIENCE": "partner-app",
        ]
        let configuration = try await load(environment: environment)
        #expect(configuration.oidc.issuers.map(\.name) == ["entra", "partner"])
        #expect(configuration.oidc.issuers.first?.provisionUsers == true)
        #expect(configuration.oidc.issuers.last?.jwksURI == nil)
        #expect(configuration.oidc.issuers.last?.provisionUsers == false)
        #expect(configuration.oidc.keyRefetchInterval == .seconds(60))

        var missingAudience = environment
        missingAudience["BIFROST_OIDC_PARTNER_AUDIENCE"] = nil
        let error = await #expect(throws: ConfigurationError.self) { try await load(environment: missingAudience) }
        #expect(error?.key == "oidc.partner.audience")

        var noKeys = environment
        noKeys["BIFROST_OIDC_ENTRA_JWKS_URI"] = nil
        let keysError = await #expect(throws: ConfigurationError.self) { try await load(environment: noKeys) }
        #expect(keysError?.key == "oidc.entra.jwksUri")

        // Only an issuer marked as the operator's own signs platform admins in; never a multi-tenant one.
        #expect(configuration.oidc.issuers.allSatisfy { !$0.isOperator })
        var operatorTenant = environment
        operatorTenant["BIFROST_OIDC_PARTNER_OPERATOR"] = "true"
        #expect(try await load(environment: operatorTenant).oidc.issuers.last?.isOperator == true)
        var anyTenant = environment
        anyTenant["BIFROST_OIDC_ENTRA_OPERATOR"] = "true"
        let operatorError = await #expect(throws: ConfigurationError.self) { try await load(environment: anyTenant) }
        #expect(operatorError?.key == "oidc.entra.operator")

        let badName = await #expect(throws: ConfigurationError.self) {
            try await load(environment: ["BIFROST_OIDC_ISSUERS": "Entra_ID"])
        }
        #expect(badName?.key == "oidc.issuers")
    }

    @Test func aSignInIssuerNeedsItsURLsAndKeepsItsSecretOutOfMessages() async throws {
        let environment = [
            "BIFROST_OIDC_ISSUERS": "entra",
            "BIFROST_OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/5c2a/v2.0",
            "BIFROST_OIDC_ENTRA_AUDIENCE": "api://bifrost",
            "BIFROST_OIDC_ENTRA_SIGN_IN": "true",
            "BIFROST_OIDC_ENTRA_AUTHORIZE_URL": "https://login.microsoftonline.com/5c2a/oauth2/v2.0/authorize",
            "BIFROST_OIDC_ENTRA_TOKEN_URL": "https://login.microsoftonline.com/5c2a/oauth2/v2.0/token",
            "BIFROST_OIDC_ENTRA_CLIENT_SECRET": "s3cret-value",
        ]
        let signIn = try #require(try await load(environment: environment).oidc.issuers.first?.signIn)
        #expect(signIn.clientID == "api://bifrost")
        #expect(signIn.label == "Sign in with Microsoft")
        #expect(signIn.clientSecret == "s3cret-value")
        #expect(!"\(signIn)".contains("s3cret"))
        var labelled = environment
        labelled["BIFROST_OIDC_ENTRA_CLIENT_ID"] = "0b1c"
        labelled["BIFROST_OIDC_ENTRA_LABEL"] = "Sign in with Contoso"
        let custom = try #require(try await load(environment: labelled).oidc.issuers.first?.signIn)
        #expect(custom.clientID == "0b1c" && custom.label == "Sign in with Contoso")

        var off = environment
        off["BIFROST_OIDC_ENTRA_SIGN_IN"] = nil
        #expect(try await load(environment: off).oidc.issuers.first?.signIn == nil)
        for key in ["BIFROST_OIDC_ENTRA_AUTHORIZE_URL", "BIFROST_OIDC_ENTRA_TOKEN_URL"] {
            var missing = environment
            missing[key] = nil
            let error = await #expect(throws: ConfigurationError.self) { try await load(environment: missing) }
            #expect(error?.key == (key.hasSuffix("AUTHORIZE_URL") ? "oidc.entra.authorizeUrl" : "oidc.entra.tokenUrl"))
            #expect(error?.description.contains("s3cret") == false)
        }

        // Plain http only to this machine, and only where OAuth providers may be there too.
        var loopback = environment
        loopback["BIFROST_OIDC_ENTRA_TOKEN_URL"] = "http://127.0.0.1:8081/token"
        let insecure = await #expect(throws: ConfigurationError.self) { try await load(environment: loopback) }
        #expect(insecure?.key == "oidc.entra.tokenUrl")
        loopback["BIFROST_OAUTH_ALLOW_INSECURE_LOOPBACK"] = "true"
        #expect(
            try await load(environment: loopback).oidc.issuers.first?.signIn?.tokenURL == "http://127.0.0.1:8081/token")
        loopback["BIFROST_OIDC_ENTRA_AUTHORIZE_URL"] = "http://login.example/authorize"
        let remote = await #expect(throws: ConfigurationError.self) { try await load(environment: loopback) }
        #expect(remote?.key == "oidc.entra.authorizeUrl")
    }

    @Test func missingExplicitConfigFileIsAnError() async throws {
        await #expect(throws: (any Error).self) { try await load(["--config-file", "/nonexistent/bifrost.yaml"]) }
    }
}
