import BifrostTestSupport
import JWTKit
import Logging
import Synchronization
import Testing

@testable import BifrostRuntime

/// When an issuer's key set is fetched, judged by a clock the test moves: unknown key ids cause at most one fetch
/// per interval, stale keys are refreshed, and a failed refresh keeps the keys in hand.
@Suite struct OIDCKeySetTests {
    /// A source that publishes what the test sets, counts its fetches, and fails when told to.
    private final class Source: Sendable {
        private let state = Mutex((keySet: JWKS(keys: []), fetches: 0, failing: false))
        var fetches: Int { state.withLock { $0.fetches } }
        func publish(_ keyIDs: [String]) throws {
            let keySet = try OIDCTestIssuer.keySet(keyIDs)
            state.withLock { $0.keySet = keySet }
        }
        func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }
        func fetch() throws -> JWKS {
            try state.withLock { state in
                state.fetches += 1
                if state.failing { throw Unreachable() }
                return state.keySet
            }
        }
        struct Unreachable: Error {}
    }

    private func keySet(_ source: Source, _ clock: ManualClock, maximumAge: Duration = .seconds(86_400)) -> OIDCKeySet {
        OIDCKeySet(
            refetchInterval: .seconds(60), maximumAge: maximumAge, logger: Logger(label: "test"), now: { clock.now }
        ) {
            try source.fetch()
        }
    }

    @Test func unknownKeyIDsCauseAtMostOneFetchPerInterval() async throws {
        let (source, clock) = (Source(), ManualClock())
        try source.publish(["one"])
        let keys = keySet(source, clock)
        #expect(try await keys.keys(containing: "one") != nil)
        #expect(source.fetches == 1)

        try source.publish(["one", "two"])
        clock.advance(by: .seconds(59))
        for _ in 0..<5 { #expect(try await keys.keys(containing: "two") == nil) }
        #expect(try await keys.keys(containing: "one") != nil)
        #expect(source.fetches == 1)

        clock.advance(by: .seconds(1))
        #expect(try await keys.keys(containing: "two") != nil)
        #expect(source.fetches == 2)
        #expect(try await keys.keys(containing: "never") == nil)
        #expect(source.fetches == 2)
    }

    @Test func staleKeysAreRefreshedAndAFailedRefreshKeepsThem() async throws {
        let (source, clock) = (Source(), ManualClock())
        try source.publish(["one"])
        let keys = keySet(source, clock, maximumAge: .seconds(3_600))
        #expect(try await keys.keys(containing: "one") != nil)

        clock.advance(by: .seconds(3_601))
        source.fail(true)
        #expect(try await keys.keys(containing: "one") != nil)
        #expect(source.fetches == 2)

        clock.advance(by: .seconds(60))
        source.fail(false)
        try source.publish(["two"])
        #expect(try await keys.keys(containing: "one") == nil)
        #expect(source.fetches == 3)
    }

    @Test func aKeySetNeverFetchedIsAnErrorNotAnUnknownKey() async throws {
        let (source, clock) = (Source(), ManualClock())
        source.fail(true)
        let keys = keySet(source, clock)
        await #expect(throws: Source.Unreachable.self) { _ = try await keys.keys(containing: "one") }
        // Never fetched: the next request tries again at once, whatever the interval.
        await #expect(throws: Source.Unreachable.self) { _ = try await keys.keys(containing: "one") }
        #expect(source.fetches == 2)
    }
}
