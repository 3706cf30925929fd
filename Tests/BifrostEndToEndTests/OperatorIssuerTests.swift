import BifrostTestSupport
import Foundation
import NIOHTTP1
import Testing

/// A customer's Entra tenant, trusted as a single-tenant issuer, cannot take over a platform admin by writing the
/// admin's address into a token: platform admins sign in only through the issuer marked as the operator's own.
@Suite struct OperatorIssuerTests {
    static let audience = "api://bifrost-e2e"

    @Test func aCustomerTenantCannotSignInAsAPlatformAdminByItsAddress() async throws {
        try await OIDCTestIssuer.withIssuer { issuer in
            let (customerTenant, operatorTenant) = (UUID(), UUID())
            let environment = [
                "BIFROST_OIDC_ISSUERS": "customer,msp",
                "BIFROST_OIDC_CUSTOMER_ISSUER": issuer.issuer(tenantID: customerTenant),
                "BIFROST_OIDC_CUSTOMER_AUDIENCE": Self.audience,
                "BIFROST_OIDC_MSP_ISSUER": issuer.issuer(tenantID: operatorTenant),
                "BIFROST_OIDC_MSP_AUDIENCE": Self.audience,
                "BIFROST_OIDC_MSP_OPERATOR": "true",
            ]
            try await RunningGateway.with(environment: environment) { gateway, _ in
                let admin = Caller(gateway)
                let customer = try await admin(
                    .POST, "/api/organizations", ["name": "Customer", "entra_tenant_id": customerTenant.uuidString]
                )
                #expect(customer.status == 201, "\(customer.body)")
                func me(_ claims: IDTokenClaims) async throws -> (status: Int, body: [String: Any]) {
                    try await Caller(base: gateway.baseURL, token: try await issuer.token(claims))(.GET, "/auth/me")
                }

                // The customer's tenant admin gives one of its users the platform admin's address.
                let intruder = UUID().uuidString.lowercased()
                let forged = IDTokenClaims(
                    issuer: issuer.issuer(tenantID: customerTenant), audience: Self.audience, tenantID: customerTenant,
                    objectID: intruder, email: "boot@msp.example"
                )
                let attempt = try await me(forged)
                #expect(attempt.status == 403, "\(attempt.body)")
                // The answer is the one an unknown user of that tenant gets: it does not say whom the address names.
                #expect(
                    (attempt.body["detail"] as? String)?.contains("No user of Customer matches") == true,
                    "\(attempt.body)")

                // The operator's own tenant signs the platform admin in, and links the account to that identity.
                let own = UUID().uuidString.lowercased()
                let genuine = try await me(
                    IDTokenClaims(
                        issuer: issuer.issuer(tenantID: operatorTenant), audience: Self.audience,
                        tenantID: operatorTenant,
                        objectID: own, email: "boot@msp.example"
                    ))
                #expect(genuine.status == 200, "\(genuine.body)")
                #expect(genuine.body["is_platform_admin"] as? Bool == true)

                // The intruder's identity was never linked: it is refused again, with or without the address.
                #expect(try await me(forged).status == 403)
                let linkedElsewhere = try await me(
                    IDTokenClaims(
                        issuer: issuer.issuer(tenantID: customerTenant), audience: Self.audience,
                        tenantID: customerTenant,
                        objectID: own, email: nil
                    ))
                #expect(linkedElsewhere.status == 403, "the admin's own identity signed in through a customer's issuer")
            }
        }
    }
}
