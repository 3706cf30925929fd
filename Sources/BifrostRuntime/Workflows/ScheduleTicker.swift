package import BifrostEngine
package import BifrostStore
package import Foundation
import ServiceLifecycle

/// Ticks the scheduler a second after each minute starts (cron's resolution), once the schema is current,
/// until graceful shutdown.
package struct ScheduleTicker: Service {
    package let scheduler: WorkflowScheduler
    package let schema: SchemaState
    /// The time slots are fired for; tests give a clock that stands still.
    package let now: @Sendable () -> Date

    package init(scheduler: WorkflowScheduler, schema: SchemaState, now: @escaping @Sendable () -> Date = { Date() }) {
        self.scheduler = scheduler
        self.schema = schema
        self.now = now
    }

    package func run() async throws {
        guard !scheduler.scheduledWorkflows.isEmpty else { return }
        await cancelWhenGracefulShutdown {
            guard (try? await schema.waitUntilCurrent()) != nil else { return }
            while !Task.isCancelled {
                await scheduler.tick(now: now())
                let intoMinute = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
                try? await Task.sleep(for: .seconds(61 - intoMinute))
            }
        }
    }
}
