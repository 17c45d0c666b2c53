import Foundation
import ModelZoo
import TestSupport
import XCTest

/// End-to-end on synthetic folders of 2, 3 and 8 classes: class sets come from the data, every
/// command prints and stores them, and a run refuses a folder of other classes.
final class ClassSetCommandTests: XCTestCase {
    private var workspace: TemporaryFolder!

    override func setUpWithError() throws {
        workspace = try TemporaryFolder(self)
    }

    func testThreeClassesThroughTrainEvaluatePredictAndInspect() throws {
        let names = ["gamma", "alpha", "beta"]
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("data")), perClass: 20, seed: 4, classNames: names)
        let inspect = try CommandRunner.run(["dataset", "inspect", workspace.path("data")])
        XCTAssertEqual(inspect.status, 0, inspect.standardError)
        XCTAssertTrue(inspect.standardOutput.contains("60 images in \(workspace.path("data")), 3 classes:"), inspect.standardOutput)
        XCTAssertTrue(inspect.standardOutput.contains("pixel formats: 60 JPEG rgb 8-bit"), inspect.standardOutput)

        let train = try CommandRunner.run(["train", "--model", "xgboost", "--data", workspace.path("data"), "--out", workspace.path("run")])
        XCTAssertEqual(train.status, 0, train.standardError)
        let config = try workspace.json("run/config.json")
        let dataset = try XCTUnwrap(config["dataset"] as? [String: Any])
        let classes = try XCTUnwrap(dataset["classes"] as? [[String: Any]])
        XCTAssertEqual(classes.map { $0["name"] as? String }, ["alpha", "beta", "gamma"], "sorted folder names")
        // Unordered classes without a cost in the data: one per error.
        XCTAssertEqual((config["cost"] as? [String: Any])?["values"] as? [[Double]], [[0, 1, 1], [1, 0, 1], [1, 1, 0]])
        let metrics = try workspace.json("run/metrics.json")
        XCTAssertEqual(metrics["class_names"] as? [String], ["alpha", "beta", "gamma"])
        let confusion = try XCTUnwrap(metrics["confusion_matrix"] as? [[Int]])
        XCTAssertEqual(confusion.count, 3)
        let errors = confusion.enumerated().map { i, row in row.enumerated().filter { $0.offset != i }.map(\.element).reduce(0, +) }.reduce(0, +)
        XCTAssertEqual(metrics["total_cost"] as? Double, Double(errors), "0/1 costs count the errors")

        let predict = try CommandRunner.run(["predict", workspace.path("run"), workspace.path("data/beta"), "--format", "csv", "--allow-ood"])
        XCTAssertEqual(predict.status, 0, predict.standardError)
        let lines = predict.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.first, "file,class,cost_optimal_class,p_alpha,p_beta,p_gamma,out_of_distribution")
        XCTAssertEqual(lines.count, 21)

        // A folder of only some of the run's classes evaluates; one with another class is refused by name.
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("subset")), perClass: 3, seed: 5, classNames: ["alpha", "beta"])
        let subset = try CommandRunner.run(["evaluate", workspace.path("run"), "--data", workspace.path("subset")])
        XCTAssertEqual(subset.status, 0, subset.standardError)
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("other")), perClass: 3, seed: 5, classNames: ["alpha", "delta"])
        let other = try CommandRunner.run(["evaluate", workspace.path("run"), "--data", workspace.path("other")])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.standardError.contains("extra delta"), other.standardError)
        XCTAssertEqual(other.standardError.split(separator: "\n").count, 1, other.standardError)

        // Re-using the run's split on a folder that lacks a class names it.
        try FileManager.default.createDirectory(atPath: workspace.path("lacking"), withIntermediateDirectories: true)
        for name in ["alpha", "beta"] {
            try FileManager.default.copyItem(atPath: workspace.path("data/\(name)"), toPath: workspace.path("lacking/\(name)"))
        }
        let lacking = try CommandRunner.run(["train", "--model", "svm", "--data", workspace.path("lacking"), "--split", workspace.path("run/split.json"),
                                             "--out", workspace.path("run-2")])
        XCTAssertNotEqual(lacking.status, 0)
        XCTAssertTrue(lacking.standardError.contains("missing gamma"), lacking.standardError)
    }

    func testEightClassCNNAndItsBackboneStartingAThreeClassRun() throws {
        let eight = (1...8).map { "type-\($0)" }
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("eight")), perClass: 6, seed: 6, size: 32, classNames: eight)
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("three")), perClass: 8, seed: 7, size: 32,
                                         classNames: Array(eight.prefix(3)))
        func train(_ data: String, _ out: String, classCount: Int, weights: String) throws -> CommandRunner.Outcome {
            try JSONEncoder().encode(TinyCNN.blueprint(classCount: classCount)).write(to: URL(fileURLWithPath: workspace.path("net-\(classCount).json")))
            return try CommandRunner.run(["train", "--model", "densenet201", "--network-config", workspace.path("net-\(classCount).json"),
                                          "--weights", weights, "--input-size", "32", "--batch-size", "8", "--epochs", "2",
                                          "--data", workspace.path(data), "--out", workspace.path(out), "--feature-cache", workspace.path("features")])
        }
        let first = try train("eight", "run-8", classCount: 8, weights: "none")
        XCTAssertEqual(first.status, 0, first.standardError)
        let predict = try CommandRunner.run(["predict", workspace.path("run-8"), workspace.path("eight/type-8/type-8-001.jpg"), "--format", "json",
                                             "--allow-ood"])
        XCTAssertEqual(predict.status, 0, predict.standardError)
        let predictions = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(predict.standardOutput.utf8)) as? [[String: Any]])
        let probabilities = try XCTUnwrap(predictions.first?["probabilities"] as? [String: Double])
        XCTAssertEqual(Set(probabilities.keys), Set(eight))
        XCTAssertEqual(probabilities.values.reduce(0, +), 1, accuracy: 1e-5)

        // A network of 4 outputs for 3 classes is refused before anything is written.
        let wrong = try train("three", "run-wrong", classCount: 4, weights: "none")
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.path("run-wrong/config.json")))

        // The 8-class run's backbone starts a 3-class run with a new head.
        let transfer = try train("three", "run-3", classCount: 3, weights: workspace.path("run-8/weights.safetensors"))
        XCTAssertEqual(transfer.status, 0, transfer.standardError)
        XCTAssertTrue(transfer.standardOutput.contains("weights \(workspace.path("run-8/weights.safetensors"))"), transfer.standardOutput)
        let metrics = try workspace.json("run-3/metrics.json")
        XCTAssertEqual(metrics["class_names"] as? [String], Array(eight.prefix(3)))
    }

    func testTheShippedBinaryALLDescriptionReportsSensitivityAndSpecificity() throws {
        let description = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("datasets/all-benign-vs-malignant.json")
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("data")), perClass: 16, seed: 8)
        let train = try CommandRunner.run(["train", "--model", "svm", "--data", workspace.path("data"), "--classes", description.path,
                                           "--out", workspace.path("binary")])
        XCTAssertEqual(train.status, 0, train.standardError)
        let metrics = try workspace.json("binary/metrics.json")
        XCTAssertEqual(metrics["class_names"] as? [String], ["Benign", "Malignant"])
        XCTAssertEqual(metrics["positive_class"] as? Int, 1)
        let confusion = try XCTUnwrap(metrics["confusion_matrix"] as? [[Int]])
        // Recomputed from the confusion matrix: sensitivity = TP / (TP + FN), specificity = TN / (TN + FP).
        XCTAssertEqual(try XCTUnwrap(metrics["sensitivity"] as? Double), Double(confusion[1][1]) / Double(confusion[1].reduce(0, +)), accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(metrics["specificity"] as? Double), Double(confusion[0][0]) / Double(confusion[0].reduce(0, +)), accuracy: 1e-12)
        let split = try workspace.json("binary/split.json")
        let testEntries = try XCTUnwrap(split["entries"] as? [[String: Any]]).filter { $0["part"] as? String == "test" }
        XCTAssertEqual(confusion.joined().reduce(0, +), testEntries.count)
        XCTAssertEqual(Set(testEntries.compactMap { $0["label"] as? String }), ["Benign", "Malignant"])
        XCTAssertEqual(metrics["total_cost"] as? Double, Double(confusion[0][1] + 5 * confusion[1][0]), "the description's costs")
        let report = try String(contentsOfFile: workspace.path("binary/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("Sensitivity (positive class: Malignant)"), report)

        // Evaluating the run on its test part reads the folders through the recorded description.
        let evaluation = try CommandRunner.run(["evaluate", workspace.path("binary")])
        XCTAssertEqual(evaluation.status, 0, evaluation.standardError)
        XCTAssertTrue(evaluation.standardOutput.contains("sensitivity"), evaluation.standardOutput)
    }

    func testARunWrittenBeforeClassSetsStillEvaluatesAsTheFourALLClasses() throws {
        try SyntheticSmears.writeDataset(at: URL(fileURLWithPath: workspace.path("data")), perClass: 12, seed: 10)
        let train = try CommandRunner.run(["train", "--model", "xgboost", "--data", workspace.path("data"), "--out", workspace.path("old")])
        XCTAssertEqual(train.status, 0, train.standardError)
        // As the toolkit wrote config.json before class sets: no dataset, no cost.
        let configURL = URL(fileURLWithPath: workspace.path("old/config.json"))
        var config = try workspace.json("old/config.json")
        XCTAssertNotNil(config.removeValue(forKey: "dataset"))
        XCTAssertNotNil(config.removeValue(forKey: "cost"))
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        let evaluation = try CommandRunner.run(["evaluate", workspace.path("old")])
        XCTAssertEqual(evaluation.status, 0, evaluation.standardError)
        let trained = try workspace.json("old/metrics.json"), evaluated = try workspace.json("old/evaluations/test-part/metrics.json")
        XCTAssertEqual(evaluated["class_names"] as? [String], ["Benign", "Early", "Pre", "Pro"])
        XCTAssertEqual(evaluated["cost_matrix"] as? [[Double]], [[0, 10, 20, 30], [10, 0, 15, 25], [20, 15, 0, 10], [30, 25, 10, 0]])
        XCTAssertEqual(evaluated["confusion_matrix"] as? [[Int]], trained["confusion_matrix"] as? [[Int]])
    }
}
