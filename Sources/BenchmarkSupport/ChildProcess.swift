import Foundation

/// A benchmark child process: run to its end, its last line of output decoded as its report.
public enum ChildProcess {
    /// Runs `executable` with `arguments` (and `environment` added to this process's), its stderr
    /// going to ours, and decodes the last line it prints as `Report` (JSON).
    /// - Throws: `BenchmarkError` naming the command when it cannot start, fails or prints no report.
    public static func run<Report: Decodable>(_ executable: String, _ arguments: [String],
                                              environment: [String: String] = [:], as: Report.Type) throws -> Report {
        let printed = try output(executable, arguments, environment: environment)
        guard let line = printed.split(separator: "\n").last,
              let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8)) else {
            throw BenchmarkError("\(command(executable, arguments)) printed no report")
        }
        return report
    }

    /// Runs `executable` with `arguments` (and `environment` added to this process's), its stderr
    /// going to ours, and returns what it printed on stdout.
    /// - Throws: `BenchmarkError` naming the command when it cannot start or fails.
    public static func output(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            throw BenchmarkError("cannot start \(command(executable, arguments)): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status" : "was killed by signal"
            throw BenchmarkError("\(command(executable, arguments)) \(how) \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The command line, for messages.
    public static func command(_ executable: String, _ arguments: [String]) -> String {
        ([executable] + arguments).joined(separator: " ")
    }
}
