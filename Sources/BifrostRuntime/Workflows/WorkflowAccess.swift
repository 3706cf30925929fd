/// Which workflow roles may run one workflow in one organisation: what the workflow declares, narrowed by the
/// organisation's admins. The one rule the listing, execute, endpoints and the generated document share.
package struct WorkflowAccess: Sendable, Hashable {
    /// The roles the workflow declares (`WorkflowConfiguration.roles`); empty: not limited.
    package var declared: Set<String>
    /// The roles the organisation's admins allow; nil: no narrowing.
    package var narrowing: Set<String>?

    package init(declared: Set<String>, narrowing: Set<String>?) {
        self.declared = declared
        self.narrowing = narrowing
    }

    /// The roles whose holders may run the workflow, or nil when any member may. A narrowing counts only within
    /// what the workflow declares (when it declares any): a role since removed from the workflow's declaration
    /// allows nothing, and a narrowing left with no declared role allows no member at all.
    package var effective: Set<String>? {
        guard let narrowing else { return declared.isEmpty ? nil : declared }
        return declared.isEmpty ? narrowing : narrowing.intersection(declared)
    }

    /// Whether a member holding `roles` may run the workflow.
    package func admits(_ roles: Set<String>) -> Bool {
        guard let effective else { return true }
        return !effective.isDisjoint(with: roles)
    }

    /// The roles of a proposed narrowing that would widen what the workflow declares, sorted; empty when it
    /// declares none (any narrowing then narrows) or the narrowing stays within.
    package func widening(_ roles: Set<String>) -> [String] {
        declared.isEmpty ? [] : roles.subtracting(declared).sorted()
    }
}
