/// The admin API contract (`openapi.yaml`) as compiled into this build.
public enum Contract {
    /// The document's YAML text, exactly as in the repository's `openapi.yaml`.
    public static func openAPIDocument() -> String {
        String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
    }
}
