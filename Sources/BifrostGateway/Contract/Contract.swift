public import BifrostEngine
import Foundation

/// The admin API contract (`openapi.yaml`) as compiled into this build.
public enum Contract {
    /// The document's YAML text, exactly as in the repository's `openapi.yaml`.
    public static func openAPIDocument() -> String {
        String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
    }

    /// The generated document (`GET /api/openapi.json`) for every workflow of `catalogue`, as JSON with sorted keys.
    public static func generatedDocument(for catalogue: WorkflowCatalogue) throws -> String {
        let document = WorkflowDocument.build(catalogue.sortedWorkflows) { _ in true }
        let data = try JSONEncoder.sortedPretty.encode(document)
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONEncoder {
    fileprivate static var sortedPretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}
