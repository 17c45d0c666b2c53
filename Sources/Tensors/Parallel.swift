import Dispatch

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
}
