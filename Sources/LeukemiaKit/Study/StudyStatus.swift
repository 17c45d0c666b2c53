import Foundation
import Evaluation

/// How far a study got (`leukemia study status`): per training its Slurm state, the epoch reached,
/// its last metrics and its log, read from `slurm.json`, `squeue` and the run folders.
public struct StudyStatus: Sendable {
    /// One training: a `StudyTask` (a model, or one fold of a model's cross-validation).
    public struct Training: Sendable {
        /// Its run folder relative to the study folder: "svm", or "svm/fold-2".
        public var name: String
        public var run: URL
        /// The array task ("12_3") that last ran it, or nil (a local study, or never submitted).
        public var slurmJob: String?
        /// Its state as squeue reports it (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT,
        /// PREEMPTED, NODE_FAIL, OUT_OF_MEMORY, ...), or nil when Slurm no longer knows the job.
        public var slurmState: String?
        public var finished: Bool
        /// Whether its run folder exists (an unfinished CNN there continues from its checkpoint).
        public var started: Bool
        /// The fold it trains (1-based) and the fold count, for a cross-validation.
        public var fold: (index: Int, count: Int)?
        /// The last epoch written to `epochs.jsonl`, for a CNN.
        public var lastEpoch: EpochRecord?
        /// The test accuracy of a finished run (of its fold, for a cross-validation).
        public var testAccuracy: Double?
        public var log: URL?

        /// Whether Slurm still runs it or will.
        public var isActive: Bool { slurmState.map { Slurm.activeStates.contains($0) } ?? false }

        /// One word for the table: Slurm's state in lower case, or the run folder's when Slurm has none.
        public var state: String {
            if let slurmState { return slurmState.lowercased() }
            return finished ? "finished" : started ? "interrupted" : "not-started"
        }
    }

    public var directory: URL
    public var trainings: [Training]
    /// The latest comparison job and its state.
    public var comparisonJob: String?
    public var comparisonState: String?
    /// Whether `comparison/comparison.json` exists.
    public var compared: Bool

    public var comparisonIsActive: Bool { comparisonState.map { Slurm.activeStates.contains($0) } ?? false }

    /// What a script reads from `leukemia study status`'s exit code.
    public enum Outcome: Int32, Sendable {
        /// Every training finished and the comparison is written.
        case finished = 0
        /// Something is pending or running: wait.
        case inProgress = 3
        /// Some training (or the comparison) ended unfinished and nothing is queued: `study resume`.
        case needsResume = 4
    }

    public var outcome: Outcome {
        if trainings.contains(where: \.isActive) || comparisonIsActive { return .inProgress }
        if trainings.allSatisfy(\.finished) && compared { return .finished }
        return .needsResume
    }

    /// Reads the study in `directory` (its `study.json`; `slurm.json` when it was submitted to Slurm).
    /// - Throws: `StudyError.notAStudy` for a folder without `study.json`; `RunDirectoryError` for an unreadable one.
    public static func read(_ directory: URL) throws -> StudyStatus {
        let folder = RunDirectory(directory)
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(StudyRecord.fileName).path) else {
            throw StudyError.notAStudy(directory.path)
        }
        let record: StudyRecord = try folder.readJSON(directory.appendingPathComponent(StudyRecord.fileName))
        let slurmFile = directory.appendingPathComponent(SlurmRecord.fileName)
        let slurm: SlurmRecord? = FileManager.default.fileExists(atPath: slurmFile.path) ? try folder.readJSON(slurmFile) : nil
        let studyTasks = StudyTask.all(modelCount: record.runs.count, folds: record.folds)
        let tasks = studyTasks.indices.map { slurm?.latestTask(of: $0) }
        let comparisonJob = slurm?.submissions.last?.comparisonJob
        let states = Slurm.states(of: tasks.compactMap { $0 } + (comparisonJob.map { [$0] } ?? []))
        let trainings = studyTasks.enumerated().map { index, task -> Training in
            let modelRun = directory.appendingPathComponent(record.runs[task.model])
            let name = task.runPath(modelName: record.runs[task.model])
            let run = directory.appendingPathComponent(name)
            var training = Training(name: name, run: run, slurmJob: tasks[index], slurmState: tasks[index].flatMap { states[$0] },
                                    finished: task.isFinished(modelRun: modelRun),
                                    started: FileManager.default.fileExists(atPath: run.path),
                                    log: slurm == nil ? nil : SlurmStudy.log(of: index, in: directory))
            training.fold = task.fold.flatMap { fold in record.folds.map { (fold, $0) } }
            training.lastEpoch = try? EpochLog(url: RunDirectory(run).epochLog).read().last
            if training.finished {
                training.testAccuracy = try? JSONDecoder().decode(ClassificationMetrics.self,
                                                                  from: Data(contentsOf: RunDirectory(run).metrics)).accuracy
            }
            return training
        }
        return StudyStatus(directory: directory, trainings: trainings, comparisonJob: comparisonJob,
                           comparisonState: comparisonJob.flatMap { states[$0] },
                           compared: FileManager.default.fileExists(atPath: directory.appendingPathComponent("comparison/comparison.json").path))
    }
}
