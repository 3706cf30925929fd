package import BifrostStore
import Foundation
import Logging

/// Turns a Microsoft Entra ID (OpenID Connect) token into a gateway user.
///
/// `tid` selects the organisation by its `entra_tenant_id`. The user is the one linked to the token's `oid`,
/// else the one whose email is the token's `email` (or `preferred_username`); the first sign-in links that user
/// to the `oid`, so an address later reused in Entra does not reach the account. Organisation users must come
/// from their organisation's tenant. Platform admins sign in only through the issuer marked as the operator's
/// own (`oidc.<name>.operator`), linked or found by email: a customer's tenant, single-tenant or not, can write
/// any address into its tokens. To every other issuer a platform admin does not exist: the answer is the one an
/// unknown user gets, and nothing is linked. An unknown user is refused with 403, unless the issuer provisions
/// users: then an `org_member` of the tenant's organisation is created.
package struct OIDCAuthenticator: Sendable {
    package let verifiers: [OIDCIssuerVerifier]
    package let users: any UserRepository
    package let organizations: PostgresOrganizationRepository
    package let audit: any AuditLog

    /// The verifier for a token claiming this issuer, if any is configured.
    package func verifier(for token: UnverifiedJWT) -> OIDCIssuerVerifier? {
        verifiers.first { $0.accepts(issuer: token.issuer, tenantID: token.tenantID) }
    }

    /// The user a verified token stands for. `requestID` and `clientAddress` go into the audit entry of a user
    /// provisioned on the way.
    /// - Throws: `AccessRefusal.forbidden` when no gateway user may be derived from the token.
    package func user(
        for claims: OIDCClaims, from verifier: OIDCIssuerVerifier, requestID: String?, clientAddress: String?
    ) async throws -> User {
        let tenantOrganization =
            try await claims.tenantID.flatMap(UUID.init(uuidString:))
            .asyncMap { try await organizations.find(entraTenantID: $0) } ?? nil
        if let (user, linked) = try await existingUser(for: claims) {
            if user.isPlatformAdmin, !verifier.settings.isOperator {
                throw Self.unknownAccount(in: tenantOrganization)
            }
            if let own = user.organizationID, own != tenantOrganization?.id {
                throw AccessRefusal.forbidden("This account belongs to an organisation linked to another Entra tenant.")
            }
            // Link only once the account is known to be this tenant's, so a refused token cannot claim it.
            if !linked, let objectID = claims.objectID, try await !users.link(user.id, toEntraObject: objectID) {
                throw AccessRefusal.forbidden("This account is linked to another Entra identity.")
            }
            return user
        }
        guard let organization = tenantOrganization, verifier.settings.provisionUsers, let email = claims.userEmail
        else {
            throw Self.unknownAccount(in: tenantOrganization)
        }
        return try await provision(
            email: email, claims: claims, organization: organization, requestID: requestID,
            clientAddress: clientAddress
        )
    }

    /// The refusal of a token that names no user this issuer may sign in.
    private static func unknownAccount(in organization: Organization?) -> AccessRefusal {
        guard let organization else {
            return AccessRefusal.forbidden("This Entra tenant is not linked to any organisation.")
        }
        return AccessRefusal.forbidden(
            "No user of \(organization.name) matches this Entra account; ask an administrator to add you."
        )
    }

    /// The user linked to the token's `oid` (`linked` true), else the user with its address.
    private func existingUser(for claims: OIDCClaims) async throws -> (user: User, linked: Bool)? {
        if let objectID = claims.objectID, let user = try await users.find(entraObjectID: objectID) {
            return (user, true)
        }
        guard let email = claims.userEmail, let user = try await users.credentials(forEmail: email)?.user else {
            return nil
        }
        return (user, false)
    }

    private func provision(
        email: String, claims: OIDCClaims, organization: Organization, requestID: String?, clientAddress: String?
    ) async throws -> User {
        let user = try await users.create(
            NewUser(
                email: email, name: claims.name ?? "", role: .orgMember, organizationID: organization.id,
                passwordHash: nil, entraObjectID: claims.objectID
            )
        )
        try await audit.record(
            AuditEvent(
                organizationID: organization.id, actorKind: "user", actorID: user.id, actorLabel: user.email,
                action: "user.provision", targetKind: "user", targetID: user.id.lowercasedText,
                requestID: requestID, clientAddress: clientAddress
            )
        )
        return user
    }
}
