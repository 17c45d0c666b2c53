import Foundation
import Synchronization

/// Where the engine's time goes, by operation, for `train --profile` (issue #19: every speed claim
/// is explained from it). Off by default; when on, every oneDNN primitive execution is timed under
/// its kind and pass as oneDNN names them (`convolution forward_training`, `reorder`, ...), and so
/// are the engine's own kernels outside oneDNN (`dnnl_sgemm` matrix products, the Swift depthwise
/// backward-weights pass, the copies of concatenations, their gradients and slices, the sums of
/// gradients that meet at one tensor, element-wise arithmetic and broadcast sums). What no category
/// covers (autograd bookkeeping, allocation, the rest of Swift) is what is left of the wall time.
///
/// Categories never nest: each is timed at the innermost call that does the work.
package enum KernelProfile {
    /// One category's calls and seconds since the last `take()`.
    package struct Entry: Equatable, Sendable {
        package var category: String
        package var calls: Int
        package var seconds: Double
    }

    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var totals: [String: (calls: Int, nanoseconds: UInt64)] = [:]
    }

    private static let store = Store()
    /// Read on every primitive execution: an atomic load, no lock, while profiling is off.
    private static let enabled = Atomic<Bool>(false)

    /// Whether operations are timed (false: `measure` only runs its body).
    package static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    /// Runs `body`, adding its wall time to `category` when profiling is on.
    @inline(__always)
    package static func measure<Result>(_ category: @autoclosure () -> String, _ body: () throws -> Result) rethrows -> Result {
        guard isEnabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(category(), nanoseconds: DispatchTime.now().uptimeNanoseconds - start) }
        return try body()
    }

    /// Adds `nanoseconds` of one call to `category` (for time measured by the caller).
    package static func add(_ category: String, nanoseconds: UInt64) {
        store.lock.withLock {
            let total = store.totals[category] ?? (0, 0)
            store.totals[category] = (total.calls + 1, total.nanoseconds + nanoseconds)
        }
    }

    /// The totals since the last call (largest first), and forgets them.
    package static func take() -> [Entry] {
        let totals = store.lock.withLock {
            defer { store.totals.removeAll() }
            return store.totals
        }
        return totals.map { Entry(category: $0.key, calls: $0.value.calls, seconds: Double($0.value.nanoseconds) / 1e9) }
            .sorted { ($0.seconds, $1.category) > ($1.seconds, $0.category) }
    }
}
