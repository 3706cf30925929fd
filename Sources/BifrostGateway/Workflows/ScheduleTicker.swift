import BifrostEngine
import BifrostStore
import Foundation
import ServiceLifecycle

/// Ticks the scheduler a second after each minute starts (cron's resolution), once the schema is current,
/// until graceful shutdown.
struct ScheduleTicker: Service {
    let scheduler: WorkflowScheduler
    let schema: SchemaState

    func run() async throws {
        guard !scheduler.scheduledWorkflows.isEmpty else { return }
        await cancelWhenGracefulShutdown {
            guard (try? await schema.waitUntilCurrent()) != nil else { return }
            while !Task.isCancelled {
                await scheduler.tick(now: Date())
                let intoMinute = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
                try? await Task.sleep(for: .seconds(61 - intoMinute))
            }
        }
    }
}
