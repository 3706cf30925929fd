import Bifrost
import Foundation

/// The seed's chained-operations pattern, against Microsoft Graph: creates the user (`POST /v1.0/users`), then
/// assigns it the license `sku` (`POST /v1.0/users/{id}/assignLicense`), through the organisation's `microsoft`
/// connection. The user gets a random first password it must change at sign-in; the workflow neither logs nor
/// returns it (an administrator resets it, or the user's self-service reset applies). Licences cost money: among
/// an organisation's members, only holders of the `provisioning` workflow role may run it.
struct CreateUserWithLicense: Workflow {
    static let configuration = WorkflowConfiguration(
        "create_user_with_license", description: "Create a Microsoft 365 user and assign a license",
        category: "Microsoft 365", roles: ["provisioning"]
    )

    @Param(.email) var email: String
    @Param(.string, help: "The license's SKU id (a GUID from Graph's subscribedSkus)") var sku: String
    @Param(.string, .pattern("[A-Z]{2}"), default: "US", help: "Two-letter country code; licenses need one")
    var usageLocation: String

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        guard let graph = try await context.oauth.getToken("microsoft")?.apiBaseURL else {
            throw WorkflowError("This organisation has no \"microsoft\" OAuth connection with an API address")
        }
        let nickname = String(email.prefix { $0 != "@" })
        context.logger.info("Creating user...")
        let user = try await context.http.send(
            .post, graph.appending(path: "v1.0/users"),
            json: NewUser(
                displayName: nickname, mailNickname: nickname, userPrincipalName: email, usageLocation: usageLocation,
                passwordProfile: .init(password: "Aa1!" + UUID().uuidString)
            ),
            as: CreatedUser.self, authorization: .oauth("microsoft")
        )
        context.logger.info("Assigning license...")
        try await context.http.send(
            .post, graph.appending(path: "v1.0/users/\(user.id)/assignLicense"),
            json: LicenseChange(addLicenses: [.init(skuId: sku)], removeLicenses: []),
            authorization: .oauth("microsoft")
        )
        return ["user_id": .string(user.id), "license": .string(sku)]
    }
}

/// Graph's user creation body.
private struct NewUser: Encodable {
    struct PasswordProfile: Encodable {
        var forceChangePasswordNextSignIn = true
        var password: String
    }

    var accountEnabled = true
    var displayName: String
    var mailNickname: String
    var userPrincipalName: String
    var usageLocation: String
    var passwordProfile: PasswordProfile
}

/// The part of Graph's created user the workflow reads.
private struct CreatedUser: Decodable, Sendable {
    var id: String
}

/// Graph's `assignLicense` body.
private struct LicenseChange: Encodable {
    struct License: Encodable { var skuId: String }
    var addLicenses: [License]
    var removeLicenses: [String]
}
