import Bifrost

/// What a queued run's context needs of its caller beyond the record's actor.
public struct JobCaller: Sendable, Hashable {
    public var email: String?
    public var name: String?
    public var isPlatformAdmin: Bool
    /// The W3C `traceparent` of the span that queued the run, when tracing was on: the run's span links to it.
    public var traceParent: String?

    public init(email: String? = nil, name: String? = nil, isPlatformAdmin: Bool = false, traceParent: String? = nil) {
        self.email = email
        self.name = name
        self.isPlatformAdmin = isPlatformAdmin
        self.traceParent = traceParent
    }

    var json: JSONValue {
        [
            "email": email.map(JSONValue.string) ?? .null, "name": name.map(JSONValue.string) ?? .null,
            "platform_admin": .bool(isPlatformAdmin), "traceparent": traceParent.map(JSONValue.string) ?? .null,
        ]
    }

    init(_ json: JSONValue) {
        email = json["email"]?.stringValue
        name = json["name"]?.stringValue
        isPlatformAdmin = json["platform_admin"] == .bool(true)
        traceParent = json["traceparent"]?.stringValue
    }
}
