import Foundation
import ToolkitSupport

/// What a benchmark child process prints as its last line (JSON): the median time of its timed
/// iterations and its peak resident memory. The PyTorch scripts print the same
/// (scripts/benchmarks/child_report.py).
public struct ChildReport: Codable, Sendable {
    public let medianSeconds: Double
    public let peakRSSKilobytes: Int

    public init(medianSeconds: Double, peakRSSKilobytes: Int) {
        self.medianSeconds = medianSeconds
        self.peakRSSKilobytes = peakRSSKilobytes
    }

    /// Runs `step` once to warm up, then `iterations` timed times; the report of this process.
    public static func measure(iterations: Int, _ step: () throws -> Void) rethrows -> ChildReport {
        let seconds = try BenchmarkSupport.medianSeconds(iterations: iterations, step)
        return ChildReport(medianSeconds: seconds, peakRSSKilobytes: PeakMemory.residentKilobytes())
    }

    /// Prints the report as the JSON line a parent reads.
    public func print() throws {
        Swift.print(String(decoding: try JSONEncoder().encode(self), as: UTF8.self))
        fflush(stdout)
    }

    /// The report of a child process (see `ChildProcess.run`).
    public static func fromChild(_ executable: String, _ arguments: [String],
                                 environment: [String: String] = [:]) throws -> ChildReport {
        try ChildProcess.run(executable, arguments, environment: environment, as: ChildReport.self)
    }

    enum CodingKeys: String, CodingKey {
        case medianSeconds = "median_seconds", peakRSSKilobytes = "peak_rss_kb"
    }
}
