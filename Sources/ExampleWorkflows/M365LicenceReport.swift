import Bifrost
import Foundation

/// A scheduled Microsoft 365 example that runs in every customer organisation each morning: which tenant it read
/// (Graph's organisation record) and how many of each licence are used, warning about any licence with fewer than
/// `spareWarning` left. With a `per_organization` connection, `getToken("microsoft")` and `.oauth("microsoft")`
/// give each organisation's run its own tenant's token.
struct M365LicenceReport: Workflow {
    static let configuration = WorkflowConfiguration(
        "m365_licence_report", description: "Report each customer's Microsoft 365 licence use",
        category: "Microsoft 365", tags: ["licences", "report"], schedule: "0 6 * * *", exposeInForms: false
    )

    /// Below this many unassigned seats a licence is reported as running out.
    static let spareWarning = 5

    func run(_ context: ExecutionContext) async throws -> JSONValue {
        guard let graph = try await context.oauth.getToken("microsoft")?.apiBaseURL else {
            throw WorkflowError("This organisation has no \"microsoft\" OAuth connection with a Graph address")
        }
        let tenant = try await context.http.get(
            graph.appending(path: "v1.0/organization"), as: GraphList<GraphOrganization>.self,
            authorization: .oauth("microsoft")
        ).value.first
        let skus = try await context.http.collectPages(
            graph.appending(path: "v1.0/subscribedSkus"), of: GraphSKU.self, authorization: .oauth("microsoft"))
        var licences: [JSONValue] = []
        for sku in skus {
            // What Graph answers is clamped, so that no answer can make the subtraction overflow.
            let enabled = max(0, sku.prepaidUnits?.enabled ?? 0)
            let spare = enabled - max(0, min(sku.consumedUnits, enabled))
            if spare < Self.spareWarning {
                context.logger.warning("\(sku.skuPartNumber): \(spare) of \(enabled) left")
            }
            licences.append(
                ["sku": .string(sku.skuPartNumber), "used": .int(sku.consumedUnits), "enabled": .int(enabled)])
        }
        context.logger.info("\(context.orgName ?? "global scope"): \(skus.count) licence(s)")
        return ["tenant": .string(tenant?.id ?? ""), "licences": .array(licences)]
    }
}

/// A Graph collection answer.
private struct GraphList<Item: Decodable & Sendable>: Decodable, Sendable {
    var value: [Item]
}

/// The part of Graph's organisation record the report reads.
private struct GraphOrganization: Decodable, Sendable {
    var id: String
}

/// The part of a Graph `subscribedSku` the report reads.
private struct GraphSKU: Decodable, Sendable {
    struct Units: Decodable, Sendable {
        var enabled: Int
    }

    var skuPartNumber: String
    var consumedUnits: Int
    var prepaidUnits: Units?
}
