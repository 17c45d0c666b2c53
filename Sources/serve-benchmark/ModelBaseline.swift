import BenchmarkSupport
import Foundation

/// `model-benchmark`'s images/s for EfficientNet-Lite0 at batch 16 (the Swift side's median run),
/// measured by running it as a child process: the figure the served throughput is held against.
enum ModelBaseline {
    static func imagesPerSecond(executable: String, size: Int) throws -> Double {
        let arguments = ["--models", "efficientnet-lite0", "--no-python", "--batch", "16", "--size", "\(size)", "--runs", "3",
                         "--warmup", "1", "--threads", "2"]
        let command = ChildProcess.command(executable, arguments)
        let output = try ChildProcess.output(executable, arguments)
        // The table row: "| efficientnet-lite0 | 41.23 (43.10) | ...".
        guard let row = output.split(separator: "\n").first(where: { $0.hasPrefix("| efficientnet-lite0 |") }),
              let cell = row.split(separator: "|").dropFirst().first?.trimmingCharacters(in: .whitespaces),
              let median = Double(cell.split(separator: " ")[0]) else {
            throw BenchmarkError("\(command) printed no efficientnet-lite0 row:\n\(output)")
        }
        return median
    }
}
