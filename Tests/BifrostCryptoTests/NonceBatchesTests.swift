import Synchronization
import Testing

@testable import BifrostCrypto

/// The batches `AESGCM.seal` takes its nonces from: each nonce handed out once, a batch drawn only when the last is
/// used up or a fork made it stale.
@Suite struct NonceBatchesTests {
    /// Counts draws and fills each batch with bytes no other batch has (draw number, then position).
    private final class PredictableDraws: Sendable {
        let count = Mutex(0)

        func draw(_ buffer: UnsafeMutableRawBufferPointer) -> Bool {
            let number = count.withLock { count in
                count += 1
                return count
            }
            for index in buffer.indices { buffer[index] = index % 2 == 0 ? UInt8(number) : UInt8(index / 2) }
            return true
        }
    }

    private func nonce(from batches: NonceBatches) throws -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: NonceBatches.nonceByteCount)
        try nonce.withUnsafeMutableBytes { try batches.fill($0) }
        return nonce
    }

    @Test func aBatchServesEachNonceOnceThenTheNextIsDrawn() throws {
        let draws = PredictableDraws()
        let batches = NonceBatches(draw: draws.draw)
        var seen = Set<[UInt8]>()
        for _ in 0..<NonceBatches.noncesPerBatch { seen.insert(try nonce(from: batches)) }
        #expect(seen.count == NonceBatches.noncesPerBatch)
        #expect(draws.count.withLock { $0 } == 1)
        seen.insert(try nonce(from: batches))
        #expect(seen.count == NonceBatches.noncesPerBatch + 1)
        #expect(draws.count.withLock { $0 } == 2)
    }

    /// A child process must not use the nonces its parent had drawn: after a fork the rest of a batch is discarded.
    @Test func aForkDiscardsTheRestOfTheBatch() throws {
        let draws = PredictableDraws()
        let batches = NonceBatches(draw: draws.draw)
        let first = try nonce(from: batches)
        #expect(draws.count.withLock { $0 } == 1)
        NonceBatches.processForked()
        let afterFork = try nonce(from: batches)
        #expect(draws.count.withLock { $0 } == 2)
        #expect(afterFork[0] == 2 && first[0] == 1)
    }

    @Test func aFailedDrawThrowsAndGivesNoNonce() {
        let batches = NonceBatches(draw: { _ in false })
        #expect(throws: CryptoError.openSSL("RAND_bytes")) { _ = try nonce(from: batches) }
    }

    @Test func theSystemGeneratorFillsWholeBatches() {
        var first = [UInt8](repeating: 0, count: NonceBatches.noncesPerBatch * NonceBatches.nonceByteCount)
        var second = first
        let filledFirst = first.withUnsafeMutableBytes(NonceBatches.systemRandom)
        let filledSecond = second.withUnsafeMutableBytes(NonceBatches.systemRandom)
        #expect(filledFirst && filledSecond)
        #expect(first != second)
    }
}
