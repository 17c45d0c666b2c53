import Foundation
import TestSupport
import XCTest

/// End-to-end: `leukemia ensemble` of two runs trained on one split, then `evaluate` and
/// `predict` of the ensemble, and the refusal of a run trained on another split.
final class EnsembleCommandTests: XCTestCase {
    func testAnEnsembleOfTwoRunsIsEvaluatedAndPredictedAndAnotherSplitIsRefused() throws {
        let workspace = try TemporaryFolder(self).url
        let data = workspace.appendingPathComponent("data")
        let files = try SyntheticSmears.writeDataset(at: data, perClass: 12, seed: 1)
        let (a, b, c) = (workspace.appendingPathComponent("a"), workspace.appendingPathComponent("b"), workspace.appendingPathComponent("c"))
        for arguments in [["--out", a.path, "--seed", "7"], ["--out", b.path, "--seed", "8", "--split", a.appendingPathComponent("split.json").path],
                          ["--out", c.path, "--seed", "9"]] {
            let outcome = try CommandRunner.run(["train", "--model", "xgboost", "--data", data.path] + arguments)
            XCTAssertEqual(outcome.status, 0, outcome.standardError)
        }
        let ensemble = workspace.appendingPathComponent("ensemble")
        let made = try CommandRunner.run(["ensemble", a.path, b.path, "--out", ensemble.path])
        XCTAssertEqual(made.status, 0, made.standardError)
        XCTAssertTrue(made.standardOutput.contains("weight"), made.standardOutput)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: ensemble.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["model"] as? String, "ensemble")
        let record = try XCTUnwrap(config["ensemble"] as? [String: Any])
        XCTAssertEqual(record["weights_method"] as? String, "fit")
        let members = try XCTUnwrap(record["members"] as? [[String: Any]])
        XCTAssertEqual(members.compactMap { $0["run"] as? String }, [a.path, b.path])
        XCTAssertEqual(members.compactMap { $0["weight"] as? Double }.reduce(0, +), 1, accuracy: 1e-9)
        for file in ["split.json", "calibration.json", "metrics.json", "predictions.json", "report.md", "ood.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: ensemble.appendingPathComponent(file).path), file)
        }

        let evaluated = try CommandRunner.run(["evaluate", ensemble.path])
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ensemble.appendingPathComponent("evaluations/test-part/metrics.json").path))
        let predicted = try CommandRunner.run(["predict", ensemble.path, files[0][0].path, "--format", "json", "--coverage", "0.9", "--allow-ood"])
        XCTAssertEqual(predicted.status, 0, predicted.standardError)
        XCTAssertTrue(predicted.standardOutput.contains("prediction_set"), predicted.standardOutput)

        let refused = try CommandRunner.run(["ensemble", a.path, c.path, "--out", workspace.appendingPathComponent("refused").path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains("\(c.path) cannot join an ensemble"), refused.standardError)
        XCTAssertTrue(refused.standardError.contains("another split"), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("refused").path))
    }
}
