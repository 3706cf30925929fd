/// Why the runtime refuses a caller an identity or a scope; the HTTP layer answers it as problem+json
/// (`Problem.from(_:)`): 400 naming the field, 403 or 404.
package struct AccessRefusal: Error, Sendable, Equatable {
    /// What kind of refusal, which decides the status.
    package enum Kind: Sendable, Equatable {
        /// The request named something malformed: `field` says what.
        case malformed(field: String, message: String)
        /// The caller may not do this.
        case forbidden
        /// What the caller named does not exist.
        case notFound
    }

    package let kind: Kind
    /// The sentence the caller reads.
    package let detail: String

    package static func malformed(_ detail: String, field: String, message: String) -> AccessRefusal {
        AccessRefusal(kind: .malformed(field: field, message: message), detail: detail)
    }

    package static func forbidden(_ detail: String) -> AccessRefusal { AccessRefusal(kind: .forbidden, detail: detail) }

    package static func notFound(_ detail: String) -> AccessRefusal { AccessRefusal(kind: .notFound, detail: detail) }
}
