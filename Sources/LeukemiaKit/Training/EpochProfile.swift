import Foundation
import Tensors

/// Where an epoch's wall time went (`train --profile`): the engine's kernels by kind and pass
/// (`KernelProfile`, Swift element-wise arithmetic included), the optimizer, the wait for prepared
/// batches, and the rest (autograd bookkeeping, allocation, other Swift code), with the cores' idle time from the
/// process's CPU time. Training and validation are both in it; checkpoints and logs are not.
/// `training-benchmark --profile` uses it for one training step beside PyTorch's profiler.
package struct EpochProfile {
    /// One category: a kernel kind and pass, the optimizer, the wait for data or the rest.
    struct Entry: Equatable {
        var category: String
        var calls: Int?
        var seconds: Double
    }

    private let start: Date
    private let cpuStart: Double
    private(set) var wallSeconds = 0.0
    private(set) var busyCoreSeconds = 0.0
    /// Categories, largest first, then the wait for data and the rest.
    private(set) var entries: [Entry] = []

    /// Starts profiling (the kernels' totals start from zero).
    package static func begin() -> EpochProfile {
        KernelProfile.isEnabled = true
        _ = KernelProfile.take()
        return EpochProfile(start: Date(), cpuStart: processCPUSeconds())
    }

    private init(start: Date, cpuStart: Double) {
        self.start = start
        self.cpuStart = cpuStart
    }

    /// Stops profiling; `dataWait` is the seconds the training loop waited for batches (nil where
    /// nothing loads data, as in `training-benchmark`: no such row then).
    package func end(dataWait: Double?) -> EpochProfile {
        var result = self
        result.wallSeconds = Date().timeIntervalSince(start)
        result.busyCoreSeconds = Self.processCPUSeconds() - cpuStart
        KernelProfile.isEnabled = false
        let kernels = KernelProfile.take()
        result.entries = kernels.map { Entry(category: $0.category, calls: $0.calls, seconds: $0.seconds) }
        let accounted = kernels.reduce(0) { $0 + $1.seconds } + (dataWait ?? 0)
        if let dataWait { result.entries.append(Entry(category: "waiting for prepared batches", calls: nil, seconds: dataWait)) }
        result.entries.append(Entry(category: "other (autograd, allocation, the rest of Swift)", calls: nil,
                                 seconds: max(0, result.wallSeconds - accounted)))
        return result
    }

    /// The cores this process may use.
    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The table as log lines under `title`.
    package func lines(title: String) -> [String] {
        let available = wallSeconds * Double(Self.cores)
        var text = [String(format: "profile of %@: %.1f s wall on %d cores (oneDNN %@, %@); %.1f of %.1f core-seconds busy, %.1f idle (%.0f %%)",
                           title, wallSeconds, Self.cores, OneDNNLibrary.version, OneDNNLibrary.instructionSet, busyCoreSeconds,
                           available, max(0, available - busyCoreSeconds), 100 * max(0, available - busyCoreSeconds) / max(available, 1e-9))]
        for entry in entries {
            let calls = entry.calls.map { String(format: "%8d calls", $0) } ?? String(repeating: " ", count: 14)
            text.append(String(format: "  %@ %@ %9.2f s %6.1f %%", entry.category.padding(toLength: 52, withPad: " ", startingAt: 0),
                               calls, entry.seconds, 100 * entry.seconds / max(wallSeconds, 1e-9)))
        }
        return text
    }

    /// User plus system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
