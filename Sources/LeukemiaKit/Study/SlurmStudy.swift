import Foundation

/// A study's trainings as Slurm jobs: a job array whose task N trains task N of the study (a
/// model, or with folds one fold of a model: `Study.tasks(of:)`; `leukemia study run-task STUDY N`,
/// the local study's training of that task), and a job that
/// waits for the array (`--dependency=afterany`) and writes the comparison (`leukemia study finish
/// STUDY`). The study folder must be on storage that every node sees at the same path.
public enum SlurmStudy {
    /// The file Slurm appends task `index`'s output to (every submission of it: a resumed CNN's log
    /// holds its first session and its continuation).
    public static func log(of index: Int, in study: URL) -> URL {
        study.appendingPathComponent("logs/task-\(index).log")
    }

    public static func comparisonLog(in study: URL) -> URL { study.appendingPathComponent("logs/comparison.log") }

    /// This process's executable, which the tasks run (`/proc/self/exe` on Linux).
    public static func currentExecutable() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// Submits every task of the prepared study in `directory` that is neither finished nor queued
    /// or running in Slurm, then a comparison job after them; appends the submission to `record`
    /// and writes it as `slurm.json`. Submitting again therefore never queues a training twice
    /// (and `Study.train`'s lock keeps a second trainer of one task from starting).
    /// Returns the submission, or nil when there was nothing to submit.
    /// - Throws: `SlurmError` when sbatch fails; what writing the folder throws.
    @discardableResult
    public static func submit(_ directory: URL, record: SlurmRecord, log: (String) -> Void) throws -> SlurmSubmission? {
        var record = record
        let folder = RunDirectory(directory)
        // Written first: a task started by this submission reads it.
        try folder.writeJSON(record, to: directory.appendingPathComponent(SlurmRecord.fileName))
        let status = try StudyStatus.read(directory)
        let tasks = status.trainings.indices.filter { !status.trainings[$0].finished && !status.trainings[$0].isActive }
        for training in status.trainings where training.isActive {
            log("\(training.name): already \(training.slurmState?.lowercased() ?? "queued") as Slurm job \(training.slurmJob ?? "?"); not submitted again")
        }
        let activeArrays = Set(status.trainings.filter(\.isActive).compactMap { $0.slurmJob?.split(separator: "_").first.map(String.init) })
        if tasks.isEmpty && (status.comparisonIsActive || (status.compared && activeArrays.isEmpty)) {
            log("nothing to submit: every training is finished or queued, and the comparison is " + (status.compared ? "written" : "queued"))
            return nil
        }
        for (index, training) in status.trainings.enumerated() where training.finished {
            log("[\(index + 1)/\(status.trainings.count) \(training.name)] finished earlier; kept")
        }

        let slurmFolder = directory.appendingPathComponent("slurm")
        let logs = directory.appendingPathComponent("logs")
        for folder in [slurmFolder, logs] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let executable = shellQuoted(record.executable), study = shellQuoted(directory.path)
        let trainScript = slurmFolder.appendingPathComponent("train.sh"), compareScript = slurmFolder.appendingPathComponent("compare.sh")
        try script("""
            # Array task N trains task N of the study exactly as the local study trains it (an
            # interrupted CNN continues from its checkpoint; a finished run is kept).
            exec \(executable) study run-task \(study) "$SLURM_ARRAY_TASK_ID"
            """, to: trainScript)
        try script("""
            # After the array (afterany): the comparison of what finished, into STUDY/comparison.
            exec \(executable) study finish \(study)
            """, to: compareScript)

        let name = "leukemia-study-" + directory.lastPathComponent
        let common = ["--chdir=\(record.workingDirectory)"] + record.options.sbatchArguments
        var arrayJob = ""
        if !tasks.isEmpty {
            arrayJob = try Slurm.submit(["--job-name=\(name)", "--array=" + tasks.map(String.init).joined(separator: ","),
                                         "--output=" + logs.appendingPathComponent("task-%a.log").path, "--open-mode=append",
                                         "--requeue"] + common + [trainScript.path])
            for index in tasks {
                log("[\(index + 1)/\(status.trainings.count) \(status.trainings[index].name)] submitted as Slurm job \(arrayJob)_\(index)"
                    + (status.trainings[index].started ? " (continues the unfinished run)" : ""))
            }
        }
        let waitFor = (arrayJob.isEmpty ? [] : [arrayJob]) + activeArrays.sorted()
        // The new comparison job waits for everything the queued one waited for: one comparison, at the end.
        if status.comparisonIsActive, let queued = status.comparisonJob, (try? Slurm.command("scancel", [queued])) != nil {
            log("comparison: queued Slurm job \(queued) cancelled, replaced by the one below")
        }
        let comparisonJob = try Slurm.submit(["--job-name=\(name)-compare", "--output=" + comparisonLog(in: directory).path,
                                              "--open-mode=append"]
                                             + (waitFor.isEmpty ? [] : ["--dependency=afterany:" + waitFor.joined(separator: ":")])
                                             + common + [compareScript.path])
        log("comparison: Slurm job \(comparisonJob)" + (waitFor.isEmpty ? "" : ", after job \(waitFor.joined(separator: ", "))")
            + " → \(directory.appendingPathComponent("comparison").path)")
        let submission = SlurmSubmission(arrayJob: arrayJob, tasks: tasks, comparisonJob: comparisonJob,
                                         submittedAt: ISO8601DateFormatter().string(from: Date()))
        record.submissions.append(submission)
        try folder.writeJSON(record, to: directory.appendingPathComponent(SlurmRecord.fileName))
        return submission
    }

    private static func script(_ body: String, to file: URL) throws {
        try Data(("#!/bin/bash\n# Written by leukemia study --executor slurm.\n" + body + "\n").utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }

    /// `text` in single quotes for a POSIX shell.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
