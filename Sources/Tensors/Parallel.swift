import Dispatch
import Foundation

/// Splits element loops over the machine's cores when they are large enough to pay for it.
public enum Parallel {
    /// The number of chunks a large loop is cut into (the target machine has 2 cores).
    public static let workerCount = 2
    /// Below this many elements a loop runs on the calling thread.
    public static let minimumParallelCount = 1 << 15

    /// Calls `body` on disjoint ranges covering `0..<count`, concurrently when `count * costPerItem`
    /// reaches `minimumParallelCount`. The ranges must be written independently.
    @inline(__always)
    public static func forEachChunk(count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 1, count * costPerItem >= minimumParallelCount else {
            body(0..<count)
            return
        }
        let chunks = min(workerCount, count)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
        }
    }

    /// `count` sums over `rows` rows, for reductions over activations (per-channel gradients and
    /// statistics): `accumulate(rows, block)` adds the contributions of a range of at most
    /// `rowsPerBlock` rows to `block`'s `count` Float sums (zeroed before each range). Each thread
    /// takes part of the rows (as `forEachChunk` splits them, by `costPerRow`) and adds its blocks
    /// into Double, so that no Float sum runs over more than `rowsPerBlock` rows.
    public static func blockedSums(count: Int, rows: Int, rowsPerBlock: Int, costPerRow: Int,
                                   _ accumulate: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        precondition(count >= 0 && rowsPerBlock > 0, "blockedSums: \(count) sums over blocks of \(rowsPerBlock) rows")
        let totals = UnsafeMutablePointer<Double>.allocate(capacity: count)
        totals.initialize(repeating: 0, count: count)
        defer { totals.deallocate() }
        let lock = NSLock()
        forEachChunk(count: rows, costPerItem: costPerRow) { range in
            let block = UnsafeMutablePointer<Float>.allocate(capacity: count)
            let partial = UnsafeMutablePointer<Double>.allocate(capacity: count)
            defer { block.deallocate(); partial.deallocate() }
            partial.initialize(repeating: 0, count: count)
            for start in stride(from: range.lowerBound, to: range.upperBound, by: rowsPerBlock) {
                block.initialize(repeating: 0, count: count)
                accumulate(start..<Swift.min(start + rowsPerBlock, range.upperBound), block)
                for index in 0..<count { partial[index] += Double(block[index]) }
            }
            lock.withLock {
                for index in 0..<count { totals[index] += partial[index] }
            }
        }
        return Array(UnsafeBufferPointer(start: totals, count: count))
    }
}
