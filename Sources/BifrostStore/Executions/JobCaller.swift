import Bifrost

/// What a queued run's context needs of its caller beyond the record's actor.
public struct JobCaller: Sendable, Hashable {
    public var email: String?
    public var name: String?
    public var isPlatformAdmin: Bool

    public init(email: String? = nil, name: String? = nil, isPlatformAdmin: Bool = false) {
        self.email = email
        self.name = name
        self.isPlatformAdmin = isPlatformAdmin
    }

    var json: JSONValue {
        [
            "email": email.map(JSONValue.string) ?? .null, "name": name.map(JSONValue.string) ?? .null,
            "platform_admin": .bool(isPlatformAdmin),
        ]
    }

    init(_ json: JSONValue) {
        email = json["email"]?.stringValue
        name = json["name"]?.stringValue
        isPlatformAdmin = json["platform_admin"] == .bool(true)
    }
}
