import Bifrost

/// Workflow roles sent in a request body (users', keys', a narrowing's): at most
/// `WorkflowRole.maximumPerHolder`, each a valid name (`WorkflowRole.isValid`). The contract declares the same
/// bounds; this check keeps them whatever the contract says.
enum WorkflowRoleList {
    /// The names as a set (repeats collapse).
    /// - Throws: `Problem.validation` naming `field` (and the offending item's index) when the list is too long or
    ///   a name is invalid.
    static func parse(_ names: [String], field: String) throws -> Set<String> {
        var problems: [Problem.FieldError] = []
        if names.count > WorkflowRole.maximumPerHolder {
            problems.append(.init(field: field, message: "must have at most \(WorkflowRole.maximumPerHolder) items"))
        }
        for (index, name) in names.enumerated() where !WorkflowRole.isValid(name) {
            problems.append(.init(field: "\(field).\(index)", message: "must be 1 to 64 of a-z, 0-9, _ and -"))
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        return Set(names)
    }
}
