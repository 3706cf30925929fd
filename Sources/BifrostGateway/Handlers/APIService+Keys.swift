import BifrostAPI
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func getKeyStatus(_ input: Operations.GetKeyStatus.Input) async throws -> Operations.GetKeyStatus.Output {
        .ok(
            .init(
                body: .json(
                    Components.Schemas.KeyStatus(
                        try await keys.status(), signingKeys: signingKeys.tokens.publicKeys))))
    }

    func getJSONWebKeys(_ input: Operations.GetJSONWebKeys.Input) async throws -> Operations.GetJSONWebKeys.Output {
        .ok(
            .init(
                body: .json(
                    .init(
                        keys: signingKeys.tokens.publicKeys.map {
                            .init(kty: .ec, crv: .p256, x: $0.x, y: $0.y, kid: $0.kid, alg: .es256, use: .sig)
                        }))))
    }

    func rotateKeys(_ input: Operations.RotateKeys.Input) async throws -> Operations.RotateKeys.Output {
        let caller = try RequestIdentity.required()
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let batchSize = body.batchSize ?? 500
        guard (1...10_000).contains(batchSize) else {
            throw Problem.validation([.init(field: "batch_size", message: "must be between 1 and 10000")])
        }
        switch body.kind {
        case .signingKey:
            guard body.organizationId == nil else {
                throw Problem.validation([.init(field: "organization_id", message: "applies to kind data_key only")])
            }
            let kid: String
            do {
                kid = try await signingKeys.rotate()
            } catch let error as SigningKeys.FixedKey {
                throw Problem.conflict(error.description)
            }
            try await identity.audit.record(
                caller.auditEvent("keys.rotate_signing_key", targetKind: "signing_key", targetID: kid))
            return .ok(
                .init(
                    body: .json(
                        .init(
                            kind: .signingKey, signingKeyId: kid,
                            masterVersion: try await keys.status().currentMasterVersion, rewrapped: 0, reencrypted: 0
                        ))))
        case .master:
            guard body.organizationId == nil else {
                throw Problem.validation([.init(field: "organization_id", message: "applies to kind data_key only")])
            }
            let rewrapped = try await keys.rewrapDataKeys(batchSize: batchSize)
            let status = try await keys.status()
            try await identity.audit.record(
                caller.auditEvent("keys.rewrap", targetKind: "master_key", targetID: "\(status.currentMasterVersion)"))
            return .ok(
                .init(
                    body: .json(
                        .init(
                            kind: .master, masterVersion: status.currentMasterVersion, rewrapped: rewrapped,
                            reencrypted: 0
                        ))))
        case .dataKey:
            let scope: Scope
            if let text = body.organizationId {
                guard let id = UUID(uuidString: text) else {
                    throw Problem.validation([.init(field: "organization_id", message: "must be a UUID")])
                }
                guard try await identity.organizations.find(id) != nil else {
                    throw Problem.notFound("No organisation has this id.")
                }
                scope = .organization(id)
            } else {
                scope = .global
            }
            let (version, reencrypted) = try await keys.rotateDataKey(of: scope, batchSize: batchSize)
            try await identity.audit.record(
                caller.auditEvent("keys.rotate_data_key", targetKind: "data_key", targetID: "\(scope)"))
            return .ok(
                .init(
                    body: .json(
                        .init(
                            kind: .dataKey, masterVersion: try await keys.status().currentMasterVersion,
                            dataKeyVersion: version,
                            rewrapped: 0, reencrypted: reencrypted
                        ))))
        }
    }
}

extension Components.Schemas.KeyStatus {
    init(_ status: BifrostStore.KeyStatus, signingKeys: [AccessTokens.PublicKey]) {
        self.init(
            signingKeys: signingKeys.map { .init(kid: $0.kid, signs: $0.signs) },
            masterVersions: status.masterVersions.map {
                .init(
                    version: $0.version, createdAt: $0.createdAt, current: $0.isCurrent, configured: $0.isConfigured,
                    dataKeys: $0.dataKeys
                )
            },
            scopes: status.scopes, valuesUnderOlderDataKeys: status.valuesUnderOlderDataKeys,
            scopesWithOlderDataKeyValues: status.scopesWithOlderDataKeyValues
        )
    }
}
