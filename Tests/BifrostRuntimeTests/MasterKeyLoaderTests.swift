import BifrostCrypto
import BifrostStore
import Foundation
import Logging
import Testing

@testable import BifrostRuntime

/// Where the master key comes from, and what is refused.
@Suite struct MasterKeyLoaderTests {
    private let logger = Logger(label: "test")

    private func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bifrost-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func theConfiguredKeyAFileOrAGeneratedDevelopmentKey() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let raw = SecureRandom.bytes(32)
        var configuration = GatewayConfiguration()
        configuration.dataDirectory = root.path
        configuration.secrets.masterKey = Base64.encode(raw)
        #expect(try MasterKeyLoader.load(configuration, logger: logger).current.withUnsafeBytes { Array($0) } == raw)

        // A key file readable by its owner only; one readable by others is refused, naming the key.
        configuration.secrets.masterKey = nil
        let file = root.appendingPathComponent("master.key")
        FileManager.default.createFile(
            atPath: file.path, contents: Data((Base64.encode(raw) + "\n").utf8), attributes: [.posixPermissions: 0o600])
        configuration.secrets.masterKeyFile = file.path
        #expect(try MasterKeyLoader.load(configuration, logger: logger).current.withUnsafeBytes { Array($0) } == raw)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: ConfigurationError.self) { try MasterKeyLoader.load(configuration, logger: self.logger) }

        // The embedded development database: generated once, then reused, owner-only.
        configuration.secrets.masterKeyFile = nil
        let first = try MasterKeyLoader.load(configuration, logger: logger).current.withUnsafeBytes { Array($0) }
        let second = try MasterKeyLoader.load(configuration, logger: logger).current.withUnsafeBytes { Array($0) }
        #expect(first == second)
        let generated = root.appendingPathComponent("keys/master.key").path
        let mode = (try FileManager.default.attributesOfItem(atPath: generated)[.posixPermissions] as? NSNumber)?
            .intValue
        #expect(mode == 0o600)
    }

    @Test func anExternalDatabaseNeedsAKeyAndABadOneIsNotShown() throws {
        var configuration = GatewayConfiguration()
        configuration.database.url = try DatabaseURL(parsing: "postgres://u:p@db:5432/bifrost")
        #expect(throws: ConfigurationError.self) { try MasterKeyLoader.load(configuration, logger: self.logger) }
        configuration.secrets.masterKey = "c2hvcnQ="  // 5 bytes
        do {
            _ = try MasterKeyLoader.load(configuration, logger: logger)
            Issue.record("a 5-byte key was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "masterKey")
            #expect(!"\(error)".contains("c2hvcnQ="))
        }
    }

    @Test func previousKeysAreReadAndABadOneIsNotShown() throws {
        var configuration = GatewayConfiguration()
        configuration.secrets.masterKey = Base64.encode(SecureRandom.bytes(32))
        let earlier = [SecureRandom.bytes(32), SecureRandom.bytes(32)]
        configuration.secrets.previousMasterKeys = earlier.map(Base64.encode)
        let loaded = try MasterKeyLoader.load(configuration, logger: logger)
        #expect(loaded.previous.map { $0.withUnsafeBytes { Array($0) } } == earlier)
        configuration.secrets.previousMasterKeys = [Base64.encode(earlier[0]), "c2hvcnQ="]
        do {
            _ = try MasterKeyLoader.load(configuration, logger: logger)
            Issue.record("a 5-byte previous key was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "previousMasterKeys")
            #expect(!"\(error)".contains("c2hvcnQ="))
        }
    }
}
