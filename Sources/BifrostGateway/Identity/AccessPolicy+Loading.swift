import Foundation

extension AccessPolicy {
    /// The policy for this gateway: the files of `directory` (every `*.yaml` except `rate-limits.yaml`), or the
    /// policies built into this binary when `directory` is nil, checked against the built-in contract.
    /// - Throws: `AccessPolicy.Invalid` naming the file and line of the first problem.
    public static func load(directory: String?) throws -> AccessPolicy {
        let known = try operationIDs(in: Contract.openAPIDocument())
        guard let directory else {
            return try AccessPolicy(
                files: [("Policies/roles.yaml", String(decoding: PackageResources.roles_yaml, as: UTF8.self))],
                knownOperations: known
            )
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") && $0 != "rate-limits.yaml" }.sorted()
        let files = try names.map { name in
            let path = directory + "/" + name
            return (path, try String(contentsOfFile: path, encoding: .utf8))
        }
        return try AccessPolicy(files: files, knownOperations: known)
    }
}
