import Foundation

/// A stand-in for the external systems the seed's examples call (`create_user_in_system`, `database.get`):
/// deterministic, so that tests can check what the workflows return.
enum Directory {
    /// A user id derived from the address (the same address gives the same id).
    static func createUser(email: String) async throws -> String {
        let digest = email.lowercased().utf8.reduce(UInt64(14_695_981_039_346_656_037)) {
            ($0 ^ UInt64($1)) &* 1_099_511_628_211
        }
        return "usr_" + String(digest, radix: 16)
    }

    /// The record behind `id`.
    static func lookup(_ id: String) async throws -> String { "record \(id)" }
}
