import Bifrost
import BifrostAPI
import BifrostEngine
import BifrostRuntime
import BifrostStore
import Foundation

extension APIService {
    func listSchedules(_ input: Operations.ListSchedules.Input) async throws -> Operations.ListSchedules.Output {
        let caller = try RequestIdentity.required()
        let fired = try await workflows.schedules.lastSlots(
            try caller.visibility(all: caller.principal.isPlatformAdmin))
        let narrowings = try await workflows.access.narrowings(for: caller.scope)
        let now = Date()
        let schedules = workflows.engine.catalogue.sortedWorkflows.compactMap { entry -> Components.Schemas.Schedule? in
            guard let schedule = entry.schedule, caller.mayRun(entry, narrowings: narrowings) else { return nil }
            let last = fired[entry.configuration.name]
            return .init(
                workflow: entry.configuration.name, expression: schedule.description,
                requiresOrg: entry.configuration.requiresOrganization, nextSlot: schedule.slot(after: now),
                lastSlot: last?.at, lastStatus: last?.lastStatus.flatMap { .init(rawValue: $0.rawValue) }
            )
        }
        return .ok(.init(body: .json(schedules)))
    }
}
