import Foundation

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
        try step()
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return ChildReport(medianSeconds: median(times), peakRSSKilobytes: PeakMemory.residentKilobytes())
    }

    /// Prints the report as the JSON line a parent reads.
    public func print() throws {
        Swift.print(String(decoding: try JSONEncoder().encode(self), as: UTF8.self))
        fflush(stdout)
    }

    /// Runs `executable` with `arguments` (and `environment` added to this process's) in a child
    /// process whose stderr goes to ours, and decodes the last line it prints.
    /// - Throws: `BenchmarkError` naming the command when it cannot start, fails or prints no report.
    public static func fromChild(_ executable: String, _ arguments: [String],
                                 environment: [String: String] = [:]) throws -> ChildReport {
        let command = ([executable] + arguments).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            throw BenchmarkError("cannot start \(command): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status" : "was killed by signal"
            throw BenchmarkError("\(command) \(how) \(process.terminationStatus)")
        }
        guard let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let report = try? JSONDecoder().decode(ChildReport.self, from: Data(line.utf8)) else {
            throw BenchmarkError("\(command) printed no report")
        }
        return report
    }

    enum CodingKeys: String, CodingKey {
        case medianSeconds = "median_seconds", peakRSSKilobytes = "peak_rss_kb"
    }
}
