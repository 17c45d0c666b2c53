import Foundation
import LeukemiaKit
import XCTest

/// `leukemia study --executor slurm` against the one-node cluster of `scripts/slurm-cluster.sh`
/// (which `.ci/run` starts): a study's trainings as a job array, a comparison job after them,
/// `study status` on each state, `study resume` after a cancelled CNN, and the local study's table.
final class SlurmStudyTests: XCTestCase {
    private var fixture: SyntheticWorkspace!
    private var workspace: URL { fixture.url }

    override func setUpWithError() throws {
        // The cluster is part of the test setup (CI starts it): its absence fails, naming the script.
        let answer = try? Self.tool("sinfo", ["--noheader", "--format=%t"])
        guard let answer, answer.status == 0, !answer.output.isEmpty else {
            throw Failure("no Slurm cluster answers (sinfo): start the one-node cluster with `sudo scripts/slurm-cluster.sh start`")
        }
        fixture = try SyntheticWorkspace(seed: 2)
    }

    override func tearDownWithError() throws {
        // Nothing of this test stays queued, then the folder goes.
        if let fixture, let records = try? FileManager.default.contentsOfDirectory(atPath: fixture.url.path) {
            for name in records {
                let file = fixture.url.appendingPathComponent(name).appendingPathComponent(SlurmRecord.fileName)
                guard let record = try? JSONDecoder().decode(SlurmRecord.self, from: Data(contentsOf: file)) else { continue }
                let jobs = record.submissions.flatMap { [$0.arrayJob, $0.comparisonJob] }.filter { !$0.isEmpty }
                if !jobs.isEmpty { _ = try? Self.tool("scancel", jobs) }
            }
        }
        fixture?.remove()
    }

    /// The Done-when test: svm, xgboost and the tiny CNN on 2 folds through Slurm, one array task
    /// per model and fold; the task of the CNN's first fold cancelled after its first checkpoint,
    /// the study resumed; every training completed once, the CNN's fold continued from its
    /// checkpoint, and the comparison table is the local study's.
    func testACancelledAndResumedSlurmStudyEndsWithTheLocalStudysTable() throws {
        let started = Date()
        // Enough epochs that the CNN's first fold is still training when it is cancelled.
        let arguments = ["study", "--models", "svm,xgboost,densenet201", "--folds", "2", "--epochs", "12",
                         "--early-stopping-patience", "20", "--seed", "5", "--data", fixture.data.path] + fixture.tinyCNN
        let local = try CommandRunner.run(arguments + ["--out", workspace.appendingPathComponent("local").path])
        XCTAssertEqual(local.status, 0, local.standardError)
        let localTime = Date().timeIntervalSince(started)

        let study = workspace.appendingPathComponent("slurm")
        let submitted = try CommandRunner.run(arguments + ["--out", study.path, "--executor", "slurm", "--slurm-cpus-per-task", "1",
                                                           "--slurm-time", "10:00"])
        XCTAssertEqual(submitted.status, 0, submitted.standardError + submitted.standardOutput)
        XCTAssertTrue(submitted.standardOutput.contains("[6/6 densenet201/fold-2] submitted as Slurm job"), submitted.standardOutput)
        let first = try record(study)
        XCTAssertEqual(first.submissions.count, 1)
        XCTAssertEqual(first.submissions[0].tasks, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(first.runs, ["svm/fold-1", "svm/fold-2", "xgboost/fold-1", "xgboost/fold-2", "densenet201/fold-1", "densenet201/fold-2"])

        // Cancel the task of the CNN's first fold once it has a checkpoint.
        let checkpoint = study.appendingPathComponent("densenet201/fold-1/checkpoint.safetensors")
        try waitUntil("the CNN's first checkpoint", timeout: 120) { FileManager.default.fileExists(atPath: checkpoint.path) }
        let cancel = try Self.tool("scancel", ["\(first.submissions[0].arrayJob)_4"])
        XCTAssertEqual(cancel.status, 0, cancel.output)
        let interrupted = try waitForStudy(study)
        print(interrupted.standardOutput)
        XCTAssertEqual(interrupted.status, 4, interrupted.standardOutput)  // unfinished, nothing queued
        XCTAssertTrue(row("densenet201/fold-1", in: interrupted).contains("cancelled"), interrupted.standardOutput)
        XCTAssertTrue(row("densenet201/fold-1", in: interrupted).contains("fold 1/2, epoch"), interrupted.standardOutput)
        XCTAssertTrue(row("densenet201/fold-1", in: interrupted).contains(study.appendingPathComponent("logs/task-4.log").path))
        // The other fold of the CNN ran beside it, in its own task, to its end.
        XCTAssertTrue(row("densenet201/fold-2", in: interrupted).contains("completed"), interrupted.standardOutput)
        for name in ["svm/fold-1", "svm/fold-2", "xgboost/fold-1", "xgboost/fold-2"] {
            XCTAssertTrue(row(name, in: interrupted).contains("completed"), interrupted.standardOutput)
            XCTAssertTrue(row(name, in: interrupted).contains("test accuracy"), interrupted.standardOutput)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: study.appendingPathComponent("densenet201/metrics.json").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: study.appendingPathComponent("svm/metrics.json").path),
                      "the fold that finished svm's cross-validation pooled its folds")
        // The comparison job ran on what finished and named what did not.
        let partial = try String(contentsOf: study.appendingPathComponent("comparison/unfinished.md"), encoding: .utf8)
        XCTAssertTrue(partial.contains("densenet201/fold-1: not finished (log: "), partial)
        XCTAssertFalse(partial.contains("densenet201/fold-2"), partial)

        let resumed = try CommandRunner.run(["study", "resume", study.path])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("[1/6 svm/fold-1] finished earlier; kept"), resumed.standardOutput)
        XCTAssertTrue(resumed.standardOutput.contains("[5/6 densenet201/fold-1] submitted as Slurm job"), resumed.standardOutput)
        let done = try waitForStudy(study)
        XCTAssertEqual(done.status, 0, done.standardOutput)
        for name in first.runs {
            XCTAssertTrue(row(name, in: done).contains("completed"), done.standardOutput)
        }

        // Every training ran to its end once: the classical tasks were submitted once, the CNN's
        // fold 1 was submitted again and continued from its checkpoint.
        let second = try record(study)
        XCTAssertEqual(second.submissions.map(\.tasks), [[0, 1, 2, 3, 4, 5], [4]])
        for (index, model) in ["svm", "svm", "xgboost", "xgboost"].enumerated() {
            let log = try String(contentsOf: study.appendingPathComponent("logs/task-\(index).log"), encoding: .utf8)
            XCTAssertEqual(log.components(separatedBy: "] training \(model)").count - 1, 1, log)
        }
        let cnnLog = try String(contentsOf: study.appendingPathComponent("logs/task-4.log"), encoding: .utf8)
        XCTAssertTrue(cnnLog.contains("fold 1/2: resuming"), cnnLog)
        XCTAssertTrue(cnnLog.contains("resuming after epoch"), cnnLog)
        for fold in 1...2 {
            let epochs = try EpochLog(url: study.appendingPathComponent("densenet201/fold-\(fold)/epochs.jsonl")).read()
            XCTAssertEqual(epochs.map(\.epoch), Array(1...epochs.count), "fold \(fold): every epoch once")
            XCTAssertEqual(epochs, try EpochLog(url: workspace.appendingPathComponent("local/densenet201/fold-\(fold)/epochs.jsonl")).read())
        }
        XCTAssertEqual(try table(study), try table(workspace.appendingPathComponent("local")))
        XCTAssertEqual(try table(study).count, 3)
        print("local study \(Int(localTime)) s; whole test \(Int(Date().timeIntervalSince(started))) s")
    }

    /// `study status` on a pending (held) and then failed task; submitting the same study twice
    /// queues nothing twice, and a second trainer of a model being trained leaves it alone.
    func testStatusNamesPendingAndFailedTasksWithTheirLogsAndNothingTrainsTwice() throws {
        let data = workspace.appendingPathComponent("data")
        let study = workspace.appendingPathComponent("held")
        // Held jobs (--slurm-extra passes sbatch's --hold) wait until released.
        let arguments = ["study", "--models", "svm,xgboost", "--seed", "3", "--data", data.path, "--out", study.path,
                         "--executor", "slurm", "--slurm-extra", "--hold --job-name=held-study"]
        let submitted = try CommandRunner.run(arguments)
        XCTAssertEqual(submitted.status, 0, submitted.standardError)
        let pending = try CommandRunner.run(["study", "status", study.path])
        XCTAssertEqual(pending.status, 3, pending.standardOutput)
        XCTAssertTrue(row("svm", in: pending).contains("pending"), pending.standardOutput)
        XCTAssertTrue(row("comparison", in: pending).contains("pending"), pending.standardOutput)

        let again = try CommandRunner.run(arguments)
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("svm: already pending as Slurm job"), again.standardOutput)
        XCTAssertTrue(again.standardOutput.contains("nothing to submit"), again.standardOutput)
        let record = try record(study)
        XCTAssertEqual(record.submissions.count, 1)
        XCTAssertEqual(record.options.extra, ["--hold", "--job-name=held-study"])

        // A trainer of svm holds its lock (as a running task does): another task of svm leaves the run alone.
        let locks = study.appendingPathComponent(".locks")
        try FileManager.default.createDirectory(at: locks, withIntermediateDirectories: true)
        let descriptor = open(locks.appendingPathComponent("svm.lock").path, O_CREAT | O_RDWR, 0o644)
        XCTAssertEqual(flock(descriptor, LOCK_EX | LOCK_NB), 0)
        let duplicate = try CommandRunner.run(["study", "run-task", study.path, "0"])
        close(descriptor)
        XCTAssertEqual(duplicate.status, 0, duplicate.standardError)
        XCTAssertTrue(duplicate.standardOutput.contains("is being trained by another process"), duplicate.standardOutput)
        XCTAssertFalse(FileManager.default.fileExists(atPath: study.appendingPathComponent("svm").path))

        // The data goes away before the tasks start: they fail, and the status names their logs.
        try FileManager.default.moveItem(at: data, to: workspace.appendingPathComponent("moved"))
        let release = try Self.tool("scontrol", ["release", record.submissions[0].arrayJob, record.submissions[0].comparisonJob])
        XCTAssertEqual(release.status, 0, release.output)
        let failed = try waitForStudy(study)
        print(failed.standardOutput)
        XCTAssertEqual(failed.status, 4, failed.standardOutput)
        for (index, model) in ["svm", "xgboost"].enumerated() {
            let log = study.appendingPathComponent("logs/task-\(index).log")
            XCTAssertTrue(row(model, in: failed).contains("failed"), failed.standardOutput)
            XCTAssertTrue(row(model, in: failed).contains(log.path), failed.standardOutput)
            XCTAssertTrue(try String(contentsOf: log, encoding: .utf8).contains("error: "), "\(model)'s log shows its error")
        }
        XCTAssertTrue(row("comparison", in: failed).contains("failed"), failed.standardOutput)
        XCTAssertTrue(failed.standardOutput.contains("leukemia study resume"), failed.standardOutput)
    }

    // MARK: - Helpers

    private struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private func record(_ study: URL) throws -> SlurmRecord {
        try JSONDecoder().decode(SlurmRecord.self, from: Data(contentsOf: study.appendingPathComponent(SlurmRecord.fileName)))
    }

    /// `study status` once it no longer reports work in progress (exit 3).
    private func waitForStudy(_ study: URL, timeout: TimeInterval = 240) throws -> CommandRunner.Outcome {
        var last: CommandRunner.Outcome?
        try waitUntil("the study's jobs to end", timeout: timeout) {
            last = try CommandRunner.run(["study", "status", study.path])
            return last?.status != 3
        }
        return try XCTUnwrap(last)
    }

    private func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { throw Failure("timed out after \(Int(timeout)) s waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// The status table's line of `name`.
    private func row(_ name: String, in outcome: CommandRunner.Outcome) -> String {
        outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? ""
    }

    /// The comparison's per-model scores and intervals (training times differ between runs).
    private func table(_ study: URL) throws -> [NSDictionary] {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: study.appendingPathComponent("comparison/comparison.json")))
            as? [String: Any])
        return try XCTUnwrap(json["models"] as? [[String: Any]]).map {
            ["name": $0["name"] ?? "", "metrics": $0["metrics"] ?? "", "intervals": $0["intervals"] ?? ""] as NSDictionary
        }
    }

    /// Runs a Slurm client command.
    private static func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
