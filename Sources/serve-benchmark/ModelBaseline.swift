import BenchmarkSupport
import Foundation

/// `model-benchmark`'s images/s for EfficientNet-Lite0 at batch 16 (the Swift side's median run),
/// measured by running it as a child process: the figure the served throughput is held against.
enum ModelBaseline {
    static func imagesPerSecond(executable: String, size: Int) throws -> Double {
        let arguments = ["--models", "efficientnet-lite0", "--no-python", "--batch", "16", "--size", "\(size)", "--runs", "3",
                         "--warmup", "1", "--threads", "2"]
        let command = ([executable] + arguments).joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            throw BenchmarkError("cannot start \(command): \(error.localizedDescription)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("\(command) exited with status \(process.terminationStatus)") }
        // The table row: "| efficientnet-lite0 | 41.23 (43.10) | ...".
        guard let row = output.split(separator: "\n").first(where: { $0.hasPrefix("| efficientnet-lite0 |") }),
              let cell = row.split(separator: "|").dropFirst().first?.trimmingCharacters(in: .whitespaces),
              let median = Double(cell.split(separator: " ")[0]) else {
            throw BenchmarkError("\(command) printed no efficientnet-lite0 row:\n\(output)")
        }
        return median
    }
}
