extension GatewayConfiguration {
    /// How large runs' files may be.
    public struct Files: Sendable {
        /// Bytes per file.
        public var maxFileSize = 10 << 20
        /// Bytes of all an organisation's files (workspace and temporary).
        public var maxOrganizationSize = 1 << 30
    }
}

extension GatewayConfiguration.Files {
    /// Reads the `files.` keys (`values` scoped to `files`).
    package init(reading values: ConfigValues) throws {
        maxFileSize = try values.integer("maxFileSize", in: 1...(1 << 30)) ?? maxFileSize
        maxOrganizationSize = try values.integer("maxOrganizationSize", in: 1...(1 << 40)) ?? maxOrganizationSize
    }
}
