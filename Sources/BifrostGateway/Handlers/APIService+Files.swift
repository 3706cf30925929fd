import BifrostAPI
import BifrostRuntime
import BifrostStore
import Foundation
import OpenAPIRuntime

extension APIService {
    func listFiles(_ input: Operations.ListFiles.Input) async throws -> Operations.ListFiles.Output {
        let caller = try RequestIdentity.required()
        let folder = try input.query.folder.flatMap { text -> StoredFilePath? in
            let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
            return trimmed.isEmpty ? nil : try Self.checkedPath(trimmed, field: "folder")
        }
        let listed = try await files.list(in: .workspace(caller.scope), folder: folder)
        return .ok(
            .init(
                body: .json(
                    listed.map {
                        .init(path: $0.path, size: $0.size, updatedAt: $0.updatedAt, updatedBy: $0.updatedBy)
                    })))
    }

    func downloadFile(_ input: Operations.DownloadFile.Input) async throws -> Operations.DownloadFile.Output {
        let caller = try RequestIdentity.required()
        let path = try Self.checkedPath(input.path.path, field: "path")
        guard let contents = try await files.read(path, in: .workspace(caller.scope)) else {
            throw Problem.notFound("No workspace file of this scope has this path.")
        }
        return .ok(.init(body: .binary(HTTPBody(contents))))
    }

    func deleteFile(_ input: Operations.DeleteFile.Input) async throws -> Operations.DeleteFile.Output {
        let caller = try RequestIdentity.required()
        let path = try Self.checkedPath(input.path.path, field: "path")
        guard try await files.delete(path, in: .workspace(caller.scope)) else {
            throw Problem.notFound("No workspace file of this scope has this path.")
        }
        try await identity.audit.record(caller.auditEvent("file.delete", targetKind: "file", targetID: path.text))
        return .noContent(.init())
    }

    private static func checkedPath(_ text: String, field: String) throws -> StoredFilePath {
        do {
            return try StoredFilePath(text)
        } catch let refusal as StoredFilePath.Refusal {
            throw Problem.validation([.init(field: field, message: refusal.reason)])
        }
    }
}
