import Foundation

/// A benchmark child process: run to its end, its last line of output decoded as its report.
public enum ChildProcess {
    /// Runs `executable` with `arguments` (and `environment` added to this process's), its stderr
    /// going to ours, and decodes the last line it prints as `Report` (JSON).
    /// - Throws: `BenchmarkError` naming the command when it cannot start, fails or prints no report.
    public static func run<Report: Decodable>(_ executable: String, _ arguments: [String],
                                              environment: [String: String] = [:], as: Report.Type) throws -> Report {
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
              let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8)) else {
            throw BenchmarkError("\(command) printed no report")
        }
        return report
    }
}
