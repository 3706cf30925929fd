package import BifrostStore
package import Foundation

/// Turns a principal and the `X-Organization-Id` header into the scope a request acts in.
///
/// Platform admins act in global scope, or inside the organisation the header names (404 if it does not
/// exist). Organisation users always act in their own organisation; a header naming another is 403.
package struct ScopeResolver: Sendable {
    package let organizations: any OrganizationLookup

    package init(organizations: any OrganizationLookup) { self.organizations = organizations }

    package func resolve(_ principal: Principal, header: String?) async throws -> Scope {
        let requested: UUID?
        if let header {
            guard let id = UUID(uuidString: header) else {
                throw AccessRefusal.malformed(
                    "X-Organization-Id must be an organisation's UUID.", field: "X-Organization-Id",
                    message: "must be a UUID")
            }
            requested = id
        } else {
            requested = nil
        }
        guard principal.isPlatformAdmin else {
            guard let own = principal.organizationID else {
                throw AccessRefusal.forbidden("The caller has no organisation.")
            }
            if let requested, requested != own {
                throw AccessRefusal.forbidden("Only platform administrators can act in another organisation.")
            }
            return .organization(own)
        }
        guard let requested else { return .global }
        guard try await organizations.find(requested) != nil else {
            throw AccessRefusal.notFound("No organisation has this id.")
        }
        return .organization(requested)
    }
}

/// Reads organisations by id; the part of the organisation store that authentication needs.
package protocol OrganizationLookup: Sendable {
    func find(_ id: UUID) async throws -> Organization?
}
