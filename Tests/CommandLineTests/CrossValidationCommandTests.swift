import Foundation
import ModelZoo
import TestSupport
import XCTest

/// End-to-end `train --folds K`: every image tested exactly once, by a model that did not train or
/// select on it; the summary recomputed here from the folds; continuation and refusal of a folder.
final class CrossValidationCommandTests: XCTestCase {
    private var workspace: TemporaryFolder!

    override func setUpWithError() throws {
        workspace = try TemporaryFolder(self)
    }

    private func entries(_ split: String) throws -> [[String: Any]] {
        try XCTUnwrap(workspace.json(split)["entries"] as? [[String: Any]])
    }

    func testThreeFoldsTestEveryImageOnceAndPoolTheirPredictions() throws {
        let names = ["a", "b", "c"]
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("data")), perClass: 15, seed: 3, classNames: names)
        let arguments = ["train", "--model", "xgboost", "--folds", "3", "--group-runs", "3", "--data", workspace.path("data"), "--out", workspace.path("cv")]
        let outcome = try CommandRunner.run(arguments)
        XCTAssertEqual(outcome.status, 0, outcome.standardError)

        var testedBy: [String: Int] = [:]
        var foldAccuracies: [Double] = []
        var pooledConfusion = [[Int]](repeating: [0, 0, 0], count: 3)
        for fold in 1...3 {
            let split = try entries("cv/fold-\(fold)/split.json")
            let test = Set(split.filter { $0["part"] as? String == "test" }.compactMap { $0["path"] as? String })
            XCTAssertEqual(split.count, 45)
            // Stratified: 15 images per class in runs of 3, so each fold tests 5 of each class (whole runs: 3 or 6).
            for name in names {
                let count = test.filter { $0.hasPrefix("\(name)/") }.count
                XCTAssertTrue([3, 6].contains(count), "fold \(fold) tests \(count) of \(name)")
            }
            // Grouped: a run of three consecutive numbers is never split across parts.
            let partOf = Dictionary(uniqueKeysWithValues: split.map { ($0["path"] as! String, $0["part"] as! String) })
            for name in names {
                for run in 0..<5 {
                    let members = (1...3).map { String(format: "%@/%@-%03d.jpg", name, name, run * 3 + $0) }
                    XCTAssertEqual(Set(members.map { partOf[$0] }).count, 1, "\(members)")
                }
            }
            let predictions = try workspace.json("cv/fold-\(fold)/predictions.json")
            let scoredPaths = try XCTUnwrap(predictions["paths"] as? [String])
            XCTAssertEqual(Set(scoredPaths), test, "a fold run scores exactly its test part")
            for path in scoredPaths { testedBy[path, default: 0] += 1 }
            let metrics = try workspace.json("cv/fold-\(fold)/metrics.json")
            foldAccuracies.append(try XCTUnwrap(metrics["accuracy"] as? Double))
            let confusion = try XCTUnwrap(metrics["confusion_matrix"] as? [[Int]])
            for i in 0..<3 { for j in 0..<3 { pooledConfusion[i][j] += confusion[i][j] } }
        }
        XCTAssertEqual(testedBy.count, 45)
        XCTAssertTrue(testedBy.values.allSatisfy { $0 == 1 }, "every image tested exactly once")

        let summary = try workspace.json("cv/metrics.json")
        XCTAssertEqual(summary["fold_count"] as? Int, 3)
        let pooled = try XCTUnwrap(summary["pooled"] as? [String: Any])
        XCTAssertEqual(pooled["confusion_matrix"] as? [[Int]], pooledConfusion)
        let mean = foldAccuracies.reduce(0, +) / 3
        let sd = (foldAccuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
        XCTAssertEqual(try XCTUnwrap((summary["mean"] as? [String: Double])?["accuracy"]), mean, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap((summary["standard_deviation"] as? [String: Double])?["accuracy"]), sd, accuracy: 1e-12)
        let report = try String(contentsOfFile: workspace.path("cv/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains(String(format: "%.4f ± %.4f", mean, sd)), report)

        // The same command continues (nothing to train); other settings are refused by name.
        let finishedAt = try FileManager.default.attributesOfItem(atPath: workspace.path("cv/fold-2/config.json"))[.modificationDate] as? Date
        let again = try CommandRunner.run(arguments)
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("continuing the cross-validation"), again.standardOutput)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: workspace.path("cv/fold-2/config.json"))[.modificationDate] as? Date, finishedAt)
        let asRun = try CommandRunner.run(["evaluate", workspace.path("cv")])
        XCTAssertNotEqual(asRun.status, 0)
        XCTAssertTrue(asRun.standardError.contains("is a cross-validation"), asRun.standardError)
        let other = try CommandRunner.run(arguments + ["--seed", "5"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.standardError.contains("seed 5"), other.standardError)
    }

    func testFoldsTrainedOneAtATimeAreTheFoldsOfOneCommand() throws {
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("data")), perClass: 9, seed: 4, classNames: ["a", "b", "c"])
        let common = ["train", "--model", "xgboost", "--folds", "3", "--data", workspace.path("data")]
        let whole = try CommandRunner.run(common + ["--out", workspace.path("whole")])
        XCTAssertEqual(whole.status, 0, whole.standardError)

        let second = try CommandRunner.run(common + ["--fold", "2", "--out", workspace.path("one")])
        XCTAssertEqual(second.status, 0, second.standardError)
        let manager = FileManager.default
        XCTAssertTrue(manager.fileExists(atPath: workspace.path("one/fold-2/config.json")))
        XCTAssertFalse(manager.fileExists(atPath: workspace.path("one/fold-1")), "only the fold asked for trains")
        XCTAssertFalse(manager.fileExists(atPath: workspace.path("one/fold-3")))
        XCTAssertFalse(manager.fileExists(atPath: workspace.path("one/metrics.json")), "no pooled scores before every fold is finished")
        for fold in ["3", "1"] {
            let outcome = try CommandRunner.run(common + ["--fold", fold, "--out", workspace.path("one")])
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
        }
        // The same folds, models and pooled scores as the one command's.
        for fold in 1...3 {
            XCTAssertEqual(try workspace.json("one/fold-\(fold)/split.json")["entries"] as? NSArray,
                           try workspace.json("whole/fold-\(fold)/split.json")["entries"] as? NSArray, "fold \(fold)")
            XCTAssertEqual(try workspace.json("one/fold-\(fold)/predictions.json")["probabilities"] as? NSArray,
                           try workspace.json("whole/fold-\(fold)/predictions.json")["probabilities"] as? NSArray, "fold \(fold)")
        }
        let pooled = { (run: String) in try XCTUnwrap(self.workspace.json("\(run)/metrics.json")["pooled"] as? [String: Any]) }
        XCTAssertEqual(try pooled("one")["confusion_matrix"] as? [[Int]], try pooled("whole")["confusion_matrix"] as? [[Int]])

        let outOfRange = try CommandRunner.run(common + ["--fold", "4", "--out", workspace.path("other")])
        XCTAssertNotEqual(outOfRange.status, 0)
        XCTAssertTrue(outOfRange.standardError.contains("--fold 4"), outOfRange.standardError)
        let alone = try CommandRunner.run(["train", "--model", "xgboost", "--fold", "1", "--data", workspace.path("data"), "--out", workspace.path("other")])
        XCTAssertNotEqual(alone.status, 0)
        XCTAssertTrue(alone.standardError.contains("needs --folds"), alone.standardError)
    }

    func testAnInterruptedCNNFoldIsResumedByTheSameCommand() throws {
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("data")), perClass: 6, seed: 9, size: 32, classNames: ["x", "y"])
        let arguments = ["train", "--model", "densenet201", "--epochs", "2", "--folds", "2", "--data", workspace.path("data"),
                         "--out", workspace.path("cv")] + (try TinyCNN.options(in: workspace.url, classCount: 2))
        let stopped = try CommandRunner.run(arguments + ["--stop-after", "1"])
        XCTAssertEqual(stopped.status, 0, stopped.standardError)
        XCTAssertTrue(stopped.standardOutput.contains("re-run the command to continue"), stopped.standardOutput)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.path("cv/fold-1/checkpoint.safetensors")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("cv/fold-1/config.json")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("cv/fold-2")))

        let resumed = try CommandRunner.run(arguments)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("fold 1/2: resuming"), resumed.standardOutput)
        XCTAssertTrue(resumed.standardOutput.contains("resuming after epoch 1"), resumed.standardOutput)
        let epochs = try String(contentsOfFile: workspace.path("cv/fold-1/epochs.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(epochs.count, 2)
        let summary = try workspace.json("cv/metrics.json")
        XCTAssertEqual((summary["pooled"] as? [String: Any])?["sample_count"] as? Int, 12)
    }
}
