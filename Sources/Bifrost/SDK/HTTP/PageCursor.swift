import Foundation
import Synchronization

/// Where a page stream is: the next page's address and how many pages were read. A class because the stream's
/// closure reads and advances it; a mutex because that closure is `Sendable`.
final class PageCursor: Sendable {
    private let state: Mutex<(next: URL?, count: Int)>

    init(next: URL) { state = Mutex((next: next, count: 0)) }

    /// How many pages were read.
    var count: Int { state.withLock { $0.count } }

    /// The next page's address, once: nil when the list has ended (or while a page is being read).
    func take() -> URL? {
        state.withLock { state in
            defer { state.next = nil }
            return state.next
        }
    }

    /// Records a page read and the address of the one after it.
    func advance(to next: URL?) {
        state.withLock { state in
            state.count += 1
            state.next = next
        }
    }
}
