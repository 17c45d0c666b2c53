import Foundation
import TestSupport
import XCTest

/// `--model cell-attention` through the executable: trained with a random backbone (the wiring,
/// not the accuracy, is under test), then predicted, explained by its cells and compared.
final class CellAttentionCommandTests: XCTestCase {
    func testTrainPredictExplainAndCompareACellAttentionRun() throws {
        let workspace = try TemporaryFolder(self).url
        let data = workspace.appendingPathComponent("data"), run = workspace.appendingPathComponent("cells")
        try SyntheticSmears.writeDataset(at: data, perClass: 6, seed: 9, size: 64)
        let trained = try CommandRunner.run(["train", "--model", "cell-attention", "--weights", "none", "--cell-input-size", "32",
                                             "--cell-versions", "1", "--cell-epochs", "2", "--data", data.path, "--out", run.path,
                                             "--feature-cache", workspace.appendingPathComponent("features").path])
        XCTAssertEqual(trained.status, 0, trained.standardError)
        XCTAssertTrue(trained.standardOutput.contains("train: "), trained.standardOutput)
        XCTAssertTrue(trained.standardOutput.contains("kept epoch"), trained.standardOutput)

        let image = data.appendingPathComponent("Pro/Pro-001.jpg")
        let predicted = try CommandRunner.run(["predict", run.path, image.path, "--allow-ood",
                                               "--explain", workspace.appendingPathComponent("predict-explain").path])
        XCTAssertEqual(predicted.status, 0, predicted.standardError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("predict-explain/Pro-001.cells.png").path),
                      "predict --explain writes the cells coloured by attention")
        XCTAssertTrue(["Benign", "Early", "Pre", "Pro"].contains { predicted.standardOutput.contains($0) }, predicted.standardOutput)

        let explained = try CommandRunner.run(["explain", run.path, image.path, "--out", workspace.appendingPathComponent("explain").path])
        XCTAssertEqual(explained.status, 0, explained.standardError)
        XCTAssertTrue(explained.standardOutput.contains(" cells; "), explained.standardOutput)
        XCTAssertTrue(explained.standardOutput.contains("1. weight "), explained.standardOutput)
        for file in ["Pro-001.cells.png", "Pro-001.attention.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("explain/\(file)").path), file)
        }
        let refused = try CommandRunner.run(["explain", run.path, image.path, "--class", "Pro", "--out", workspace.appendingPathComponent("x").path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains("--class and --layer apply to CNN runs"), refused.standardError)

        let comparison = workspace.appendingPathComponent("comparison")
        let compared = try CommandRunner.run(["compare", run.path, "--out", comparison.path, "--resamples", "100"])
        XCTAssertEqual(compared.status, 0, compared.standardError)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: comparison.appendingPathComponent("comparison.json")))
            as? [String: Any])
        let model = try XCTUnwrap((json["models"] as? [[String: Any]])?.first)
        XCTAssertEqual(model["kind"] as? String, "cell-attention")
        XCTAssertEqual(model["peak_training_memory"] as? String, "measured")
        // Its misclassified images show their cells coloured by attention in the report's gallery.
        let accuracy = try XCTUnwrap((model["metrics"] as? [String: Any])?["accuracy"] as? Double)
        let page = try String(contentsOf: comparison.appendingPathComponent("report.html"), encoding: .utf8)
        if accuracy < 1 {
            XCTAssertTrue(page.contains("boxes coloured by attention"), "the gallery's cards show the cells' attention")
        }
        let command = try XCTUnwrap(model["train_command"] as? String)
        XCTAssertTrue(command.contains("--model cell-attention") && command.contains("--cell-size 64") && command.contains("--weights none"), command)
    }

    func testTopBlocksTrainingStopsResumesAndIsRecordedInTheTrainCommand() throws {
        let workspace = try TemporaryFolder(self).url
        let data = workspace.appendingPathComponent("data"), run = workspace.appendingPathComponent("top")
        try SyntheticSmears.writeDataset(at: data, perClass: 4, seed: 9, size: 64)
        let common = ["train", "--model", "cell-attention", "--weights", "none", "--cell-input-size", "32", "--cell-epochs", "2",
                      "--data", data.path, "--feature-cache", workspace.appendingPathComponent("features").path]
        let frozenRate = try CommandRunner.run(common + ["--backbone-learning-rate", "0.001", "--out", workspace.appendingPathComponent("x").path])
        XCTAssertNotEqual(frozenRate.status, 0)
        XCTAssertTrue(frozenRate.standardError.contains("--backbone-learning-rate applies only to --policy top-blocks"), frozenRate.standardError)
        let averaged = try CommandRunner.run(common + ["--average-from", "2", "--out", workspace.appendingPathComponent("x").path])
        XCTAssertNotEqual(averaged.status, 0)
        XCTAssertTrue(averaged.standardError.contains("--average-from applies to the CNNs"), averaged.standardError)
        let full = try CommandRunner.run(common + ["--policy", "full", "--out", workspace.appendingPathComponent("y").path])
        XCTAssertNotEqual(full.status, 0)
        XCTAssertTrue(full.standardError.contains("frozen or top-blocks"), full.standardError)

        let stopped = try CommandRunner.run(common + ["--policy", "top-blocks", "--backbone-learning-rate", "0.001", "--stop-after", "1",
                                                      "--out", run.path])
        XCTAssertEqual(stopped.status, 0, stopped.standardError)
        XCTAssertTrue(stopped.standardOutput.contains("continue with --resume"), stopped.standardOutput)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("config.json").path))
        let resumed = try CommandRunner.run(["train", "--resume", "--out", run.path])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("resuming after epoch 1"), resumed.standardOutput)
        XCTAssertTrue(resumed.standardOutput.contains("kept epoch"), resumed.standardOutput)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as? [String: Any])
        let options = try XCTUnwrap((config["cell_attention"] as? [String: Any])?["options"] as? [String: Any])
        XCTAssertEqual(options["policy"] as? String, "top-blocks")
        XCTAssertEqual(options["backbone_learning_rate"] as? Double ?? 0, 0.001, accuracy: 1e-9)

        let comparison = workspace.appendingPathComponent("comparison")
        let compared = try CommandRunner.run(["compare", run.path, "--out", comparison.path, "--resamples", "50"])
        XCTAssertEqual(compared.status, 0, compared.standardError)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: comparison.appendingPathComponent("comparison.json")))
            as? [String: Any])
        let command = try XCTUnwrap(((json["models"] as? [[String: Any]])?.first)?["train_command"] as? String)
        XCTAssertTrue(command.contains("--policy top-blocks --backbone-learning-rate 0.001"), command)
    }
}
