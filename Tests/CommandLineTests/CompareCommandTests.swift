import Foundation
import Evaluation
import LeukemiaKit
import ModelZoo
import TestSupport
import XCTest

/// End-to-end: `leukemia compare` of an XGBoost, an SVM and a tiny CNN run trained on one split
/// of synthetic data (listed by a study folder), against `evaluate`'s numbers; runs with other
/// test parts refused, then made comparable with --data.
final class CompareCommandTests: XCTestCase {
    private static var workspace: URL!
    private static var setupError: Error?

    private static var data: URL { workspace.appendingPathComponent("data") }
    private static var study: URL { workspace.appendingPathComponent("study") }
    private static func run(_ name: String) -> URL { study.appendingPathComponent(name) }
    private static var otherSplit: URL { workspace.appendingPathComponent("xgboost-seed-8") }

    /// The data, the three runs of the study (the SVM and the CNN reuse the XGBoost run's split),
    /// `study.json`, and an XGBoost run on another split.
    override class func setUp() {
        super.setUp()
        do {
            workspace = try TemporaryFolder().url
            try SyntheticSmears.writeDataset(at: data, perClass: 16, seed: 3, size: 32)
            let blueprint = NetworkBlueprint.denseNet(DenseNet.Configuration(growthRate: 4, blockLayerCounts: [2, 2],
                                                                             initialFeatures: 8, classCount: 4))
            let networkConfig = workspace.appendingPathComponent("tiny-densenet.json")
            try JSONEncoder().encode(blueprint).write(to: networkConfig)
            let split = run("xgboost").appendingPathComponent("split.json").path
            let trainings: [[String]] = [
                ["--model", "xgboost", "--out", run("xgboost").path],
                ["--model", "svm", "--out", run("svm").path, "--split", split],
                ["--model", "densenet201", "--network-config", networkConfig.path, "--weights", "none", "--input-size", "32",
                 "--batch-size", "8", "--epochs", "3", "--learning-rate", "0.003", "--recompute-batch-norm", "16", "--fill", "reflect", "--no-orientations",
                 "--schedule", "cosine", "--average-from", "2", "--out", run("cnn").path, "--split", split,
                 "--feature-cache", workspace.appendingPathComponent("features").path],
                ["--model", "xgboost", "--out", otherSplit.path, "--seed", "8"],
            ]
            for arguments in trainings {
                let outcome = try CommandRunner.run(["train", "--data", data.path] + arguments)
                guard outcome.status == 0 else { throw NSError(domain: "train", code: 1, userInfo: [NSLocalizedDescriptionKey: outcome.standardError]) }
            }
            try Data(#"{"format_version": 1, "runs": ["xgboost", "svm", "cnn"], "note": "unknown fields are ignored"}"#.utf8)
                .write(to: study.appendingPathComponent("study.json"))
        } catch {
            setupError = error
        }
    }

    override class func tearDown() {
        if let workspace { try? FileManager.default.removeItem(at: workspace) }
        super.tearDown()
    }

    override func setUpWithError() throws {
        if let error = Self.setupError { throw error }
    }

    private func json(_ file: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
    }

    /// The exact two-sided McNemar p-value from the discordant counts, summed term by term.
    private func mcnemarByHand(_ b: Int, _ c: Int) -> Double {
        let n = b + c
        guard n > 0 else { return 1 }
        var tail = 0.0, term = pow(0.5, Double(n))  // C(n, 0) / 2^n
        for i in 0...min(b, c) {
            tail += term
            term *= Double(n - i) / Double(i + 1)
        }
        return min(1, 2 * tail)
    }

    func testStudyComparisonEqualsEvaluateAndHasEveryPart() throws {
        let out = Self.workspace.appendingPathComponent("comparison")
        let outcome = try CommandRunner.run(["compare", Self.study.path, "--out", out.path, "--resamples", "300", "--seed", "5"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        for file in ["report.html", "comparison.md", "comparison.csv", "comparison.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        let comparison = try json(out.appendingPathComponent("comparison.json"))
        let models = try XCTUnwrap(comparison["models"] as? [[String: Any]])
        XCTAssertEqual(models.map { $0["name"] as? String }, ["xgboost", "svm", "cnn"])

        // Each model's numbers are those `evaluate` gives for its run.
        var predictions: [String: [String: Int]] = [:], labels: [String: Int] = [:]
        for model in models {
            let name = try XCTUnwrap(model["name"] as? String)
            let run = try TrainedRuns.open(Self.run(name))
            let evaluation = try RunEvaluation.evaluateTestPart(of: run, cost: run.configuration.costMatrix,
                                                                reportFolder: Self.workspace.appendingPathComponent("evaluate-\(name)"))
            let metrics = try XCTUnwrap(model["metrics"] as? [String: Any])
            // A Double written to comparison.json and read back with JSONSerialization can come back
            // one unit in the last place off (0.3825757575757577 for 0.38257575757575757 was seen),
            // so equal means within 1e-12 here.
            XCTAssertEqual(try XCTUnwrap(metrics["accuracy"] as? Double), evaluation.metrics.accuracy, accuracy: 1e-12, name)
            XCTAssertEqual(try XCTUnwrap(metrics["total_cost"] as? Double), evaluation.metrics.totalCost, name)
            XCTAssertEqual(try XCTUnwrap(metrics["macro_f1"] as? Double), evaluation.metrics.macroF1, accuracy: 1e-12, name)
            let intervals = try XCTUnwrap(model["intervals"] as? [String: [String: Any]])
            XCTAssertEqual(intervals["accuracy"]?["estimate"] as? Double, evaluation.metrics.accuracy, name)
            // A CNN's probabilities may differ in the last bit between two scorings (oneDNN's threaded sums).
            XCTAssertEqual(try XCTUnwrap(intervals["ece"]?["estimate"] as? Double),
                           try XCTUnwrap(evaluation.calibrated?.expectedCalibrationError), accuracy: 1e-12, name)
            XCTAssertEqual(intervals["accuracy"]?["resamples"] as? Int, 300)
            let scored = try ScoredImages.load(from: evaluation.reportFolder)
            predictions[name] = Dictionary(uniqueKeysWithValues: zip(scored.paths, scored.probabilities.map(ClassificationMetrics.argMax)))
            for (path, label) in zip(scored.paths, scored.labels) { labels[path] = label }
            XCTAssertEqual(model["kind"] as? String, name == "cnn" ? "cnn" : "classical")
            // Every run trained here measured its own peak; the report shows that figure.
            XCTAssertEqual(model["peak_training_memory"] as? String, "measured", name)
            XCTAssertEqual(model["peak_training_memory_mib"] as? Double, try XCTUnwrap(run.configuration.peakMemoryMiB), name)
            XCTAssertNotNil((model["prediction_sets"] as? [String: Any])?["coverage"], "runs are calibrated: prediction sets")
            for key in ["folds", "peak_training_memory_mib", "intervals", "risk_coverage", "train_command", "inference_images_per_second"] {
                XCTAssertTrue(model.keys.contains(key), "every model has \(key), null when it does not apply")
            }
        }

        // McNemar against the best, by hand from the runs' own predictions.
        let best = try XCTUnwrap(comparison["best_model"] as? String)
        let paired = try XCTUnwrap(comparison["paired"] as? [[String: Any]])
        XCTAssertEqual(paired.count, 2)
        for pair in paired {
            let name = try XCTUnwrap(pair["model"] as? String)
            XCTAssertEqual(pair["best"] as? String, best)
            var b = 0, c = 0
            for (path, label) in labels {
                let model = predictions[name]![path]!, other = predictions[best]![path]!
                if model == label, other != label { b += 1 }
                if model != label, other == label { c += 1 }
            }
            let test = try XCTUnwrap(pair["mcnemar"] as? [String: Any])
            XCTAssertEqual(test["only_first_correct"] as? Int, b, name)
            XCTAssertEqual(test["only_second_correct"] as? Int, c, name)
            XCTAssertEqual(try XCTUnwrap(test["p_value"] as? Double), mcnemarByHand(b, c), accuracy: 1e-12, name)
            XCTAssertNotNil((pair["total_cost_difference"] as? [String: Any])?["lower"])
        }

        // The page: self-contained, one figure of each kind per model, training curves for the CNN.
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertFalse(html.lowercased().contains("<script"))
        XCTAssertFalse(html.lowercased().contains("<link"))
        XCTAssertFalse(html.contains("@import") || html.contains("url("))
        for attribute in ["src=\"", "href=\""] {
            for occurrence in html.components(separatedBy: attribute).dropFirst() {
                XCTAssertTrue(occurrence.hasPrefix("data:"), "\(attribute)\(occurrence.prefix(40))")
            }
        }
        func figureCount(_ name: String) -> Int { html.components(separatedBy: "data-figure=\"\(name)\"").count - 1 }
        for kind in ["confusion-counts", "confusion-normalized", "roc", "reliability", "risk-coverage"] {
            XCTAssertEqual(figureCount(kind), 3, kind)
        }
        XCTAssertEqual(figureCount("training-curves"), 1)
        XCTAssertEqual(figureCount("risk-coverage-all"), 1)
        XCTAssertTrue(html.contains("How to reproduce") && html.contains("leukemia train --model svm"), "commands on the page")
        XCTAssertTrue(html.contains("McNemar"))

        let csv = try String(contentsOf: out.appendingPathComponent("comparison.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\r\n").count, 4, "header + 3 models")
        let markdown = try String(contentsOf: out.appendingPathComponent("comparison.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| xgboost") && markdown.contains("## Paired comparisons"))
    }

    /// The report's "how to reproduce" command of the CNN, run as printed (plus the network file
    /// its note asks for and a new --out), trains with exactly the options of the run it came from.
    func testTheCNNsReproduceCommandTrainsWithTheSameOptions() throws {
        let out = Self.workspace.appendingPathComponent("comparison-reproduce")
        let outcome = try CommandRunner.run(["compare", Self.study.path, "--out", out.path, "--resamples", "50", "--seed", "5"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let models = try XCTUnwrap(try json(out.appendingPathComponent("comparison.json"))["models"] as? [[String: Any]])
        let command = try XCTUnwrap(models.first { $0["name"] as? String == "cnn" }?["train_command"] as? String)
        var arguments = Self.shellWords(String(command.prefix { $0 != "\n" }))
        XCTAssertEqual(Array(arguments.prefix(2)), ["leukemia", "train"], command)
        XCTAssertTrue(arguments.contains("--recompute-batch-norm"), command)
        XCTAssertEqual(arguments.firstIndex(of: "--fill").map { arguments[$0 + 1] }, "reflect", command)
        XCTAssertEqual(arguments.firstIndex(of: "--schedule").map { arguments[$0 + 1] }, "cosine", command)
        XCTAssertEqual(arguments.firstIndex(of: "--average-from").map { arguments[$0 + 1] }, "2", command)
        // Orientations are train's default: a run without them must say so to be reproduced.
        XCTAssertTrue(arguments.contains("--no-orientations"), command)
        let again = Self.workspace.appendingPathComponent("cnn-again")
        let outIndex = try XCTUnwrap(arguments.firstIndex(of: "--out"), command)
        arguments[outIndex + 1] = again.path
        let retrained = try CommandRunner.run(Array(arguments.dropFirst()) + ["--network-config", Self.workspace.appendingPathComponent("tiny-densenet.json").path,
                                                                              "--feature-cache", Self.workspace.appendingPathComponent("features").path])
        XCTAssertEqual(retrained.status, 0, retrained.standardError + "\n" + command)
        let original = try XCTUnwrap(try json(Self.run("cnn").appendingPathComponent("training-options.json"))["options"] as? NSDictionary)
        let reproduced = try XCTUnwrap(try json(again.appendingPathComponent("training-options.json"))["options"] as? NSDictionary)
        XCTAssertEqual(reproduced, original)
    }

    /// `line` split into words as a POSIX shell would for what `TrainCommandLine.quoted` writes
    /// (plain words and single-quoted ones).
    private static func shellWords(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, inWord = false
        for character in line {
            if character == "'" { quoted.toggle(); inWord = true; continue }
            if character == " " && !quoted {
                if inWord { words.append(current) }
                current = ""; inWord = false
                continue
            }
            current.append(character); inWord = true
        }
        if inWord { words.append(current) }
        return words
    }

    func testRunsWithOtherTestImagesAreRefusedUnlessScoredOnOneFolder() throws {
        let xgboost = Self.run("xgboost").path
        let refused = try CommandRunner.run(["compare", xgboost, Self.otherSplit.path,
                                             "--out", Self.workspace.appendingPathComponent("refused").path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains(xgboost) && refused.standardError.contains(Self.otherSplit.path),
                      refused.standardError)
        XCTAssertTrue(refused.standardError.contains("different images") && refused.standardError.contains("--data"), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.workspace.appendingPathComponent("refused/report.html").path))

        let out = Self.workspace.appendingPathComponent("on-one-folder")
        let outcome = try CommandRunner.run(["compare", xgboost, Self.otherSplit.path, "--data", Self.data.path,
                                             "--out", out.path, "--resamples", "100"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let comparison = try json(out.appendingPathComponent("comparison.json"))
        let images = try XCTUnwrap(comparison["images"] as? [String: Any])
        XCTAssertEqual(images["source"] as? String, "folder")
        XCTAssertEqual(images["count"] as? Int, 64, "every image of the folder")
        let run = try TrainedRuns.open(Self.otherSplit)
        let evaluation = try RunEvaluation.evaluateFolder(of: run, dataDirectory: Self.data, cost: run.configuration.costMatrix,
                                                          reportFolder: Self.workspace.appendingPathComponent("evaluate-other"))
        let models = try XCTUnwrap(comparison["models"] as? [[String: Any]])
        XCTAssertEqual((models[1]["metrics"] as? [String: Any])?["total_cost"] as? Double, evaluation.metrics.totalCost)
    }

    func testCrossValidationsAreComparedOnTheirPooledFoldsWithMeanAndDeviation() throws {
        var folders: [URL] = []
        for model in ["xgboost", "svm"] {
            let folder = Self.workspace.appendingPathComponent("cv-\(model)")
            let outcome = try CommandRunner.run(["train", "--model", model, "--data", Self.data.path, "--folds", "2",
                                                 "--out", folder.path, "--seed", "11"])
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
            folders.append(folder)
        }
        let out = Self.workspace.appendingPathComponent("cv-comparison")
        let outcome = try CommandRunner.run(["compare"] + folders.map(\.path) + ["--out", out.path, "--resamples", "100"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        let comparison = try json(out.appendingPathComponent("comparison.json"))
        XCTAssertEqual((comparison["images"] as? [String: Any])?["count"] as? Int, 64, "every image once, out of fold")
        let models = try XCTUnwrap(comparison["models"] as? [[String: Any]])
        for (model, folder) in zip(models, folders) {
            let folds = try XCTUnwrap(model["folds"] as? [String: Any])
            XCTAssertEqual(folds["fold_count"] as? Int, 2)
            XCTAssertEqual((model["runs"] as? [String])?.count, 2)
            // The pooled scores are those the cross-validation itself wrote.
            let written = try json(folder.appendingPathComponent("metrics.json"))
            let pooled = try XCTUnwrap(written["pooled"] as? [String: Any])
            XCTAssertEqual((model["metrics"] as? [String: Any])?["total_cost"] as? Double, pooled["total_cost"] as? Double)
            XCTAssertEqual((model["metrics"] as? [String: Any])?["accuracy"] as? Double, pooled["accuracy"] as? Double)
        }
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("mean ± sample standard deviation over the folds"))

        let mixed = try CommandRunner.run(["compare", folders[0].path, Self.run("xgboost").path,
                                           "--out", Self.workspace.appendingPathComponent("mixed").path])
        XCTAssertNotEqual(mixed.status, 0, "a cross-validation's pooled folds are not a run's test part")
        XCTAssertTrue(mixed.standardError.contains("different images"), mixed.standardError)
    }
}
