import Foundation
import ToolkitSupport

/// The resources of a study's Slurm jobs (`--slurm-*`), passed to `sbatch` as they are.
public struct SlurmOptions: Codable, Equatable, Sendable {
    public var partition: String?
    public var cpusPerTask: Int?
    /// `--mem` (e.g. "4G").
    public var memory: String?
    /// `--time` (e.g. "2:00:00").
    public var time: String?
    /// Further `sbatch` arguments (`--slurm-extra`, split at white space), e.g. `--account=lab --qos=long`.
    public var extra: [String]

    public init(partition: String? = nil, cpusPerTask: Int? = nil, memory: String? = nil, time: String? = nil, extra: [String] = []) {
        self.partition = partition
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.time = time
        self.extra = extra
    }

    /// The `sbatch` arguments of these options.
    public var sbatchArguments: [String] {
        var arguments: [String] = []
        if let partition { arguments.append("--partition=\(partition)") }
        if let cpusPerTask { arguments.append("--cpus-per-task=\(cpusPerTask)") }
        if let memory { arguments.append("--mem=\(memory)") }
        if let time { arguments.append("--time=\(time)") }
        return arguments + extra
    }

    enum CodingKeys: String, CodingKey {
        case partition, cpusPerTask = "cpus_per_task", memory, time, extra
    }
}

/// One `sbatch` of a study: a job array whose task N trains `Study.tasks(of:)[N]` (a model, or a
/// fold of a model), and the comparison job that waits for it (`--dependency=afterany`).
public struct SlurmSubmission: Codable, Equatable, Sendable {
    public var arrayJob: String
    /// The task indices (0-based, of `Study.tasks(of:)`; the array's task ids) submitted.
    public var tasks: [Int]
    public var comparisonJob: String
    public var submittedAt: String

    enum CodingKeys: String, CodingKey {
        case arrayJob = "array_job", tasks, comparisonJob = "comparison_job", submittedAt = "submitted_at"
    }
}

/// `slurm.json` in a study folder: how its tasks run (the toolkit, the folder and the study command
/// they re-read) and every submission's job ids, newest last.
public struct SlurmRecord: Codable, Equatable, Sendable {
    public static let fileName = "slurm.json"

    /// The `leukemia` executable every task runs (the same path on every node: shared storage).
    public var executable: String
    /// The submitting command's working directory, where its relative paths start.
    public var workingDirectory: String
    /// The study command's arguments after the executable (`study --models ... --out ...`): every
    /// task parses them again to train its model exactly as the local study does.
    public var arguments: [String]
    /// The run folder of each task, relative to the study folder (index = array task id): "svm",
    /// or with folds "svm/fold-1".
    public var runs: [String]
    public var options: SlurmOptions
    public var submissions: [SlurmSubmission]

    public init(executable: String, workingDirectory: String, arguments: [String], runs: [String], options: SlurmOptions,
                submissions: [SlurmSubmission] = []) {
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.arguments = arguments
        self.runs = runs
        self.options = options
        self.submissions = submissions
    }

    /// The array task that last ran (or runs) task `index`, as squeue names it ("12_3").
    public func latestTask(of index: Int) -> String? {
        submissions.last(where: { $0.tasks.contains(index) }).map { "\($0.arrayJob)_\(index)" }
    }

    enum CodingKeys: String, CodingKey {
        case executable, workingDirectory = "working_directory", arguments, runs, options, submissions
    }
}

/// Why Slurm could not be asked.
public enum SlurmError: DescribedError, Equatable {
    case commandFailed(command: String, status: Int32, output: String)
    case unexpectedOutput(command: String, output: String)
    case notSubmitted(path: String)

    public var description: String {
        switch self {
        case let .commandFailed(command, status, output):
            return "\(command) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines)); "
                + "is a Slurm cluster reachable? (one on this machine: scripts/slurm-cluster.sh start)"
        case let .unexpectedOutput(command, output): return "\(command) answered '\(output)', not a job id"
        case .notSubmitted(let path): return "\(path) has no \(SlurmRecord.fileName): the study was not submitted to Slurm (`study --executor slurm`)"
        }
    }
}

/// The study's interface to Slurm: its documented commands (`sbatch --parsable`, `squeue`,
/// `scancel`), found on PATH, never its protocols.
public enum Slurm {
    /// Runs `tool arguments` and returns its standard output.
    /// - Throws: `SlurmError.commandFailed` with what it printed.
    static func command(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        do { try process.run() } catch {
            throw SlurmError.commandFailed(command: tool, status: -1, output: error.localizedDescription)
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: outData, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw SlurmError.commandFailed(command: ([tool] + arguments).joined(separator: " "), status: process.terminationStatus,
                                           output: String(decoding: errData, as: UTF8.self) + text)
        }
        return text
    }

    /// `sbatch --parsable arguments`: the new job's id.
    public static func submit(_ arguments: [String]) throws -> String {
        let output = try command("sbatch", ["--parsable"] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
        // --parsable prints "id" or "id;cluster".
        let id = String(output.split(separator: ";").first ?? "")
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw SlurmError.unexpectedOutput(command: "sbatch", output: output) }
        return id
    }

    /// The state squeue knows of each job or array task of `jobs` ("12" or "12_3" → "RUNNING"),
    /// finished ones included while Slurm keeps them (MinJobAge); a job it forgot is absent.
    public static func states(of jobs: [String]) -> [String: String] {
        let ids = Set(jobs.map { String($0.split(separator: "_").first ?? "") }).filter { !$0.isEmpty }.sorted()
        guard !ids.isEmpty else { return [:] }
        func query(_ ids: [String]) -> [String: String]? {
            guard let output = try? command("squeue", ["--noheader", "--states=all", "--array", "--jobs=" + ids.joined(separator: ","),
                                                       "--format=%i|%T"]) else { return nil }
            var states: [String: String] = [:]
            for line in output.split(separator: "\n") {
                let fields = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                if fields.count == 2 { states[fields[0]] = fields[1] }
            }
            return states
        }
        // squeue refuses the whole list when one id is unknown: then one by one.
        if let all = query(ids) { return all }
        return ids.reduce(into: [:]) { states, id in states.merge(query([id]) ?? [:]) { a, _ in a } }
    }

    /// The Slurm states in which a job still holds or waits for a node.
    public static let activeStates: Set<String> = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_FED",
                                                   "REQUEUE_HOLD", "RESIZING", "SUSPENDED", "SIGNALING", "STAGE_OUT", "STOPPED"]
}
