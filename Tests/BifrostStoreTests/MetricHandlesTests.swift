import BifrostTelemetry
import Synchronization
import Testing

/// `MetricHandles` makes a key's handles once and hands the same ones back, from any number of tasks.
@Suite struct MetricHandlesTests {
    final class Handle: Sendable {
        let key: String
        init(key: String) { self.key = key }
    }

    @Test func makesEachKeysHandlesOnceAndReusesThem() async {
        let made = Atomic<Int>(0)
        let handles = MetricHandles<String, Handle> { key in
            made.add(1, ordering: .relaxed)
            return Handle(key: key)
        }
        let first = handles("a")
        #expect(first.key == "a")
        #expect(handles("a") === first)
        #expect(handles("b") !== first)
        #expect(made.load(ordering: .relaxed) == 2)

        // Many tasks asking for the same keys at once all get the handles that were kept.
        let seen = await withTaskGroup(of: ObjectIdentifier.self) { group in
            for index in 0..<200 { group.addTask { ObjectIdentifier(handles(index.isMultiple(of: 2) ? "a" : "c")) } }
            return await group.reduce(into: Set<ObjectIdentifier>()) { $0.insert($1) }
        }
        #expect(seen.count == 2)
        #expect(seen.contains(ObjectIdentifier(first)))
        #expect(handles("c") === handles("c"))
    }
}
