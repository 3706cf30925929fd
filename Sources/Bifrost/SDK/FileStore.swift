/// Files of the run's organisation (`files.read` / `files.write`). Paths are relative, with `/` between folders
/// (`data/output.txt`); one that could escape (`..`, absolute, NUL, a backslash) is refused.
public protocol FileStore: Sendable {
    /// Writes (or replaces) a file. - Throws: for a bad path, or a file or organisation over its size limit.
    func write(_ path: String, _ contents: [UInt8], location: FileLocation) async throws
    /// The file's contents. - Throws: when there is no such file.
    func read(_ path: String, location: FileLocation) async throws -> [UInt8]
    /// The paths of the files in `folder` and below ("" for all), sorted.
    func list(_ folder: String, location: FileLocation) async throws -> [String]
    /// Deletes a file. - Returns: whether there was one.
    @discardableResult
    func delete(_ path: String, location: FileLocation) async throws -> Bool
}

extension FileStore {
    /// Writes text as UTF-8.
    public func write(_ path: String, _ text: String, location: FileLocation = .workspace) async throws {
        try await write(path, Array(text.utf8), location: location)
    }

    /// The file's contents.
    public func read(_ path: String) async throws -> [UInt8] { try await read(path, location: .workspace) }

    /// The file's contents as text (UTF-8).
    public func readText(_ path: String, location: FileLocation = .workspace) async throws -> String {
        String(decoding: try await read(path, location: location), as: UTF8.self)
    }

    /// The paths of the workspace's files in `folder` and below.
    public func list(_ folder: String = "") async throws -> [String] { try await list(folder, location: .workspace) }

    /// Deletes a workspace file. - Returns: whether there was one.
    @discardableResult
    public func delete(_ path: String) async throws -> Bool { try await delete(path, location: .workspace) }
}
