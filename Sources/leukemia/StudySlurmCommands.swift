import ArgumentParser
import Foundation
import LeukemiaKit

/// `leukemia study status STUDY`: per training its Slurm state, epoch, last metrics and log.
struct StudyStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show how far a study got: per training its Slurm state, the epoch reached, its last metrics and its log.",
        discussion: """
            States are Slurm's (pending, running, completed, failed, cancelled, timeout, preempted, node_fail, \
            out_of_memory, ...) as squeue reports them; without a Slurm job (a local study, or one Slurm forgot) the run \
            folder's: finished, interrupted or not-started. Exit codes: 0 every training finished and the comparison is \
            written; 3 something is pending or running (wait); 4 something ended unfinished and nothing is queued \
            (run `leukemia study resume STUDY`); 1 the study cannot be read.
            """)

    @Argument(help: "The study folder.")
    var study: String

    func run() throws {
        let status = try reportingErrors { try StudyStatus.read(URL(fileURLWithPath: study)) }
        var rows = [["training", "slurm job", "state", "progress", "last metrics", "log"]]
        for training in status.trainings {
            var progress = training.finished ? "finished" : training.started ? "unfinished" : "not started"
            if let fold = training.fold, !training.finished, training.started { progress = "fold \(fold.index)/\(fold.count)" }
            if let epoch = training.lastEpoch, !training.finished { progress += ", epoch \(epoch.epoch)" }
            var metrics = "-"
            if let accuracy = training.testAccuracy {
                metrics = String(format: "test accuracy %.4f", accuracy)
            } else if let epoch = training.lastEpoch {
                metrics = String(format: "train loss %.4f", epoch.trainLoss)
                    + (epoch.validationLoss.map { String(format: ", validation loss %.4f", $0) } ?? "")
                    + (epoch.validationAccuracy.map { String(format: ", validation accuracy %.4f", $0) } ?? "")
            }
            rows.append([training.name, training.slurmJob ?? "-", training.state, progress, metrics, training.log?.path ?? "-"])
        }
        if let job = status.comparisonJob {
            rows.append(["comparison", job, status.comparisonState?.lowercased() ?? (status.compared ? "finished" : "not-started"),
                         status.compared ? "written" : "not written", "-", SlurmStudy.comparisonLog(in: status.directory).path])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
        switch status.outcome {
        case .finished: print("study finished: \(status.directory.appendingPathComponent("comparison/report.html").path)")
        case .inProgress: print("study in progress")
        case .needsResume: print("study unfinished, nothing queued: leukemia study resume \(study)")
        }
        if status.outcome != .finished { throw ExitCode(status.outcome.rawValue) }
    }
}

/// `leukemia study resume STUDY`: submits again what is neither finished nor queued.
struct StudyResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Submit again, with the same options, every training of a Slurm study that is neither finished nor queued, and its comparison.",
        discussion: """
            An interrupted CNN or cell-attention model (cancelled, timed out, preempted, its node failed) continues from its last checkpoint; \
            an unfinished classical model is trained again; finished trainings are kept, queued or running ones are \
            not submitted twice. A local study continues with its own command instead.
            """)

    @Argument(help: "The study folder.")
    var study: String

    func run() throws {
        try reportingErrors {
            let directory = URL(fileURLWithPath: study).standardizedFileURL
            let file = directory.appendingPathComponent(SlurmRecord.fileName)
            guard FileManager.default.fileExists(atPath: file.path) else { throw SlurmError.notSubmitted(path: directory.path) }
            var record: SlurmRecord = try RunDirectory(directory).readJSON(file)
            record.executable = SlurmStudy.currentExecutable()
            try SlurmStudy.submit(directory, record: record) { print($0) }
            print("follow it with: leukemia study status \(study)")
        }
    }
}

/// `leukemia study run-task STUDY INDEX`: what a Slurm array task runs.
struct StudyRunTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-task", abstract: "Train task INDEX of a submitted study: a model, or a fold of a model (what each Slurm array task runs).",
        shouldDisplay: false)

    @Argument(help: "The study folder.")
    var study: String

    @Argument(help: "The task's index in the study (0-based, model by model and fold by fold), the array task id.")
    var index: Int

    func run() throws {
        try reportingErrors {
            let directory = URL(fileURLWithPath: study).standardizedFileURL
            let (command, _) = try StudyStartCommand.recorded(in: directory)
            let request = try command.makeRequest()
            let tasks = Study.tasks(of: request)
            guard tasks.indices.contains(index) else {
                throw ValidationError("the study has \(tasks.count) tasks; no task \(index)")
            }
            let name = tasks[index].runPath(in: request)
            let environment = ProcessInfo.processInfo.environment
            print("task \(index) (\(name)) on \(ProcessInfo.processInfo.hostName), Slurm job "
                  + "\(environment["SLURM_ARRAY_JOB_ID"] ?? "?")_\(environment["SLURM_ARRAY_TASK_ID"] ?? "?"), "
                  + ISO8601DateFormatter().string(from: Date()))
            let prefix = "[\(index + 1)/\(tasks.count) \(name)] "
            do {
                if try Study.train(request, task: tasks[index], log: { print($0) }, control: command.cnn.control(prefix: prefix)) {
                    print(prefix + "finished")
                } else {
                    print(prefix + "stopped before its end; leukemia study resume \(directory.path) continues it")
                }
            } catch let error as StudyError {
                // Another task trains this one now: this one leaves it alone.
                guard case .busy = error else { throw error }
                print(prefix + "\(error)")
            }
        }
    }
}

/// `leukemia study finish STUDY`: the comparison job after the array.
struct StudyFinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish", abstract: "Write a submitted study's comparison of its finished runs (what the comparison job runs).",
        shouldDisplay: false)

    @Argument(help: "The study folder.")
    var study: String

    func run() throws {
        try reportingErrors {
            let directory = URL(fileURLWithPath: study).standardizedFileURL
            let (command, record) = try StudyStartCommand.recorded(in: directory)
            print("comparison of \(directory.path), " + ISO8601DateFormatter().string(from: Date()))
            try command.compare(try command.makeRequest(), commandLine: ["leukemia"] + record.arguments)
        }
    }
}
