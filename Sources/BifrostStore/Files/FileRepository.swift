public import Foundation

/// Files as runs keep them, per space (an organisation's or the global workspace, or a run's temporary files).
/// `PostgresFileRepository` is the implementation; the engine depends only on this.
public protocol FileRepository: Sendable {
    /// Writes a file. - Throws: `PostgresFileRepository.LimitExceeded` past the file or space limit.
    func write(_ path: StoredFilePath, _ contents: [UInt8], in space: PostgresFileRepository.Space, by actor: String)
        async throws
    /// A file's contents, nil if there is none.
    func read(_ path: StoredFilePath, in space: PostgresFileRepository.Space) async throws -> [UInt8]?
    /// The files of a space, or of one folder of it.
    func list(in space: PostgresFileRepository.Space, folder: StoredFilePath?) async throws -> [StoredFile]
    /// Deletes a file. - Returns: whether there was one.
    func delete(_ path: StoredFilePath, in space: PostgresFileRepository.Space) async throws -> Bool
    /// Deletes a run's temporary files.
    func deleteTemporaryFiles(of execution: UUID) async throws
}

extension PostgresFileRepository: FileRepository {}
