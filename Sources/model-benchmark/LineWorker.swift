import BenchmarkSupport
import Foundation

/// A child process spoken to in lines: a command on its stdin, one line of answer on its stdout.
final class LineWorker {
    let name: String
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var pending = Data()

    /// Starts `executable` with `arguments` and `environment` added to this process's environment;
    /// its stderr goes to ours.
    init(name: String, executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = input
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw UsageError("cannot start \(name) (\(executable)): \(error.localizedDescription)")
        }
    }

    /// The next line the worker prints. oneDNN's own lines (`ONEDNN_VERBOSE=profile_exec` on a Swift
    /// worker prints each primitive's time on its standard output) go to our standard error.
    /// - Throws: `UsageError` naming the worker if it exits first.
    func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasPrefix("onednn_verbose,") {
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                    continue
                }
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                process.waitUntilExit()
                throw UsageError("\(name) exited (status \(process.terminationStatus)) before answering")
            }
            pending.append(chunk)
        }
    }

    /// Sends `command` and returns the answer line.
    func ask(_ command: String) throws -> String {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        return try readLine()
    }

    /// Waits for the "ready ..." line and returns what follows "ready".
    func waitUntilReady() throws -> String {
        let line = try readLine()
        guard line.hasPrefix("ready") else { throw UsageError("\(name) answered '\(line)' instead of 'ready'") }
        return String(line.dropFirst("ready".count)).trimmingCharacters(in: .whitespaces)
    }

    /// Seconds of one timed forward pass.
    func timedRun() throws -> Double {
        let answer = try ask("run")
        guard let seconds = Double(answer) else { throw UsageError("\(name) answered '\(answer)' to 'run'") }
        return seconds
    }

    /// Asks a Swift worker to profile one more batch (its table goes to standard error).
    func profileOneRun() throws {
        let answer = try ask("profile")
        guard answer == "done" else { throw UsageError("\(name) answered '\(answer)' to 'profile'") }
    }

    /// Asks the worker to exit and returns its peak resident memory in bytes.
    func quit() throws -> Int {
        let answer = try ask("quit")
        process.waitUntilExit()
        struct Report: Decodable { let peak_rss_bytes: Int }
        guard let report = try? JSONDecoder().decode(Report.self, from: Data(answer.utf8)) else {
            throw UsageError("\(name) answered '\(answer)' to 'quit'")
        }
        return report.peak_rss_bytes
    }
}
