import Bifrost
import BifrostStore
import Foundation
import Logging
import Synchronization

/// `context.files` of one run: its organisation's workspace, and its own temporary space, which
/// `removeTemporaryFiles()` empties when the run ends. Bad paths, missing files and writes over a limit are
/// `WorkflowError`s whose message says which.
final class RunFiles: FileStore {
    private let store: any FileRepository
    private let scope: Scope
    private let execution: UUID
    private let actor: String
    private let logger: Logger
    private let usedTemporarySpace = Atomic<Bool>(false)

    init(store: any FileRepository, scope: Scope, execution: UUID, actor: String, logger: Logger) {
        self.store = store
        self.scope = scope
        self.execution = execution
        self.actor = actor
        self.logger = logger
    }

    func write(_ path: String, _ contents: [UInt8], location: FileLocation) async throws {
        let path = try Self.checked(path)
        if location == .temp { usedTemporarySpace.store(true, ordering: .relaxed) }
        do {
            try await store.write(path, contents, in: space(location), by: actor)
        } catch let exceeded as PostgresFileRepository.LimitExceeded {
            throw WorkflowError("Cannot write \"\(path)\": \(exceeded)")
        }
    }

    func read(_ path: String, location: FileLocation) async throws -> [UInt8] {
        let path = try Self.checked(path)
        guard let contents = try await store.read(path, in: space(location)) else {
            throw WorkflowError("There is no file \"\(path)\" in the \(location.rawValue) files")
        }
        return contents
    }

    func list(_ folder: String, location: FileLocation) async throws -> [String] {
        let folder = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        return try await store.list(in: space(location), folder: folder.isEmpty ? nil : try Self.checked(folder))
            .map(\.path)
    }

    func delete(_ path: String, location: FileLocation) async throws -> Bool {
        try await store.delete(try Self.checked(path), in: space(location))
    }

    /// Deletes the run's temporary files, if it wrote any (a failure is logged: the retention sweep removes them
    /// later).
    func removeTemporaryFiles() async {
        guard usedTemporarySpace.load(ordering: .relaxed) else { return }
        do {
            try await store.deleteTemporaryFiles(of: execution)
        } catch {
            logger.warning("Could not delete a run's temporary files", metadata: ["error.message": "\(error)"])
        }
    }

    private func space(_ location: FileLocation) -> PostgresFileRepository.Space {
        switch location {
        case .workspace: .workspace(scope)
        case .temp: .temp(scope, execution: execution)
        }
    }

    private static func checked(_ path: String) throws -> StoredFilePath {
        do {
            return try StoredFilePath(path)
        } catch let refusal as StoredFilePath.Refusal {
            throw WorkflowError(refusal.description)
        }
    }
}
