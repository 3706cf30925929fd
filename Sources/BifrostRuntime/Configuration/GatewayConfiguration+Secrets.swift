import Foundation

extension GatewayConfiguration {
    /// Where the master key of envelope encryption comes from (see `MasterKeyLoader`).
    public struct Secrets: Sendable {
        /// Base64 of 32 bytes (environment `BIFROST_MASTER_KEY`); never logged.
        public var masterKey: String?
        /// A file holding it, readable by its owner only.
        public var masterKeyFile: String?
        /// Earlier master keys (base64, comma-separated; environment `BIFROST_PREVIOUS_MASTER_KEYS`), needed until
        /// `bifrost keys rotate` has re-wrapped the data keys they wrap; never logged.
        public var previousMasterKeys: [String] = []
    }
}

extension GatewayConfiguration.Secrets {
    /// Reads the top-level keys `masterKey`, `masterKeyFile` and `previousMasterKeys`.
    package init(reading values: ConfigValues) throws {
        masterKey = try values.string("masterKey", isSecret: true)
        masterKeyFile = try values.string("masterKeyFile")
        previousMasterKeys =
            try values.string("previousMasterKeys", isSecret: true)
            .map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
    }
}
