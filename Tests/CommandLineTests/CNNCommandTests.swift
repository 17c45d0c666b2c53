import Foundation
import LeukemiaKit
import ModelZoo
import Tensors
import TestSupport
import XCTest

/// End-to-end: CNN training (with a reduced network), resumption, evaluation and prediction
/// through the `leukemia` executable on synthetic data.
final class CNNCommandTests: XCTestCase {
    private var fixture: SyntheticWorkspace!
    private var workspace: URL { fixture.url }
    private var data: URL { fixture.data }
    private var tinyCNN: [String] { fixture.tinyCNN }

    override func setUpWithError() throws { fixture = try SyntheticWorkspace(seed: 2) }
    override func tearDownWithError() throws { fixture.remove() }

    private func train(_ run: String, _ extra: [String] = []) throws -> CommandRunner.Outcome {
        try CommandRunner.run(["train", "--model", "densenet201", "--epochs", "3", "--data", data.path,
                               "--out", workspace.appendingPathComponent(run).path] + tinyCNN + extra)
    }

    private func lines(_ file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testTrainStopResumeEvaluateAndPredict() throws {
        let straight = try train("straight")
        XCTAssertEqual(straight.status, 0, straight.standardError)
        XCTAssertTrue(straight.standardOutput.contains("epoch 3/3"), straight.standardOutput)

        let stopped = try train("resumed", ["--stop-after", "1"])
        XCTAssertEqual(stopped.status, 0, stopped.standardError)
        XCTAssertTrue(stopped.standardOutput.contains("continue with --resume"), stopped.standardOutput)
        let resumed = try CommandRunner.run(["train", "--resume", "--out", workspace.appendingPathComponent("resumed").path,
                                             "--epochs", "99", "--learning-rate=0.5"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardError.contains("ignoring --epochs, --learning-rate"), resumed.standardError)
        XCTAssertTrue(resumed.standardOutput.contains("resuming after epoch 1"), resumed.standardOutput)
        XCTAssertEqual(try lines(workspace.appendingPathComponent("resumed/epochs.jsonl")),
                       try lines(workspace.appendingPathComponent("straight/epochs.jsonl")))
        XCTAssertEqual(try Data(contentsOf: workspace.appendingPathComponent("resumed/weights.safetensors")),
                       try Data(contentsOf: workspace.appendingPathComponent("straight/weights.safetensors")))

        let run = workspace.appendingPathComponent("straight").path
        let evaluation = try CommandRunner.run(["evaluate", run, "--tta", "2"])
        XCTAssertEqual(evaluation.status, 0, evaluation.standardError)
        XCTAssertTrue(evaluation.standardOutput.hasPrefix("accuracy "), evaluation.standardOutput)

        // --allow-ood: a tiny network on 32-pixel images flags some of its own kind (the check has its own tests).
        let prediction = try CommandRunner.run(["predict", run, data.appendingPathComponent("Pro").path, "--format", "csv",
                                                "--tta", "1", "--allow-ood"])
        XCTAssertEqual(prediction.status, 0, prediction.standardError)
        let rows = prediction.standardOutput.split(separator: "\n")
        XCTAssertEqual(rows.first, "file,class,cost_optimal_class,p_benign,p_early,p_pre,p_pro,out_of_distribution")
        XCTAssertEqual(rows.count, 1 + 8)
    }

    /// `--precision bf16` is refused, naming the instruction set, where oneDNN has no native bf16
    /// (`ONEDNN_MAX_CPU_ISA=AVX2` makes any x86 CPU such a one), by `train` before the run folder
    /// exists and by `evaluate`; on a bf16 CPU the run trains in bf16, records it, and `evaluate`
    /// runs it in either precision.
    func testBF16IsRecordedOrRefusedByTheCPU() throws {
        let refusedOut = workspace.appendingPathComponent("bf16-refused")
        let refused = try CommandRunner.run(["train", "--model", "densenet201", "--epochs", "1", "--data", data.path,
                                             "--out", refusedOut.path, "--precision", "bf16"] + tinyCNN,
                                            environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains("--precision bf16: expected a CPU with native bf16 instructions"), refused.standardError)
        XCTAssertTrue(refused.standardError.contains("oneDNN runs avx2 here"), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: refusedOut.path))

        let fp32 = try train("fp32", ["--epochs", "1"])
        XCTAssertEqual(fp32.status, 0, fp32.standardError)
        let run = workspace.appendingPathComponent("fp32").path
        let refusedEvaluation = try CommandRunner.run(["evaluate", run, "--precision", "bf16"], environment: ["ONEDNN_MAX_CPU_ISA": "AVX2"])
        XCTAssertNotEqual(refusedEvaluation.status, 0)
        XCTAssertTrue(refusedEvaluation.standardError.contains("--precision bf16: expected a CPU with native bf16"), refusedEvaluation.standardError)

        guard ComputePrecision.bf16.isSupportedHere else { return }
        let bf16 = try train("bf16", ["--epochs", "1", "--precision", "bf16"])
        XCTAssertEqual(bf16.status, 0, bf16.standardError)
        let options = try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.appendingPathComponent("bf16/training-options.json")))
        XCTAssertEqual(((options as? [String: Any])?["options"] as? [String: Any])?["precision"] as? String, "bf16")
        for precision in ["fp32", "bf16"] {
            let evaluation = try CommandRunner.run(["evaluate", workspace.appendingPathComponent("bf16").path, "--precision", precision])
            XCTAssertEqual(evaluation.status, 0, evaluation.standardError)
            XCTAssertTrue(evaluation.standardOutput.hasPrefix("accuracy "), evaluation.standardOutput)
        }
    }

    func testFrozenPolicyTrainsTheHeadOnCachedFeatures() throws {
        let outcome = try train("frozen", ["--policy", "frozen", "--cached-copies", "2"])
        XCTAssertEqual(outcome.status, 0, outcome.standardError)
        XCTAssertTrue(outcome.standardOutput.contains("features: 3 x"), outcome.standardOutput)
        XCTAssertTrue(outcome.standardOutput.contains("images computed"), outcome.standardOutput)
        let again = try train("frozen-again", ["--policy", "frozen", "--cached-copies", "2"])
        XCTAssertTrue(again.standardOutput.contains("all reused"), again.standardOutput)
    }

    func testAConfigurationThatCannotFitIsRefusedBeforeTheRunFolderExists() throws {
        let out = workspace.appendingPathComponent("huge")
        let outcome = try CommandRunner.run(["train", "--model", "efficientnet-lite0", "--weights", "none", "--batch-size", "1024",
                                             "--input-size", "1024", "--data", data.path, "--out", out.path])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.standardError.contains("lower --batch-size or --input-size"), outcome.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testAugmentationOptionsWithoutAugmentationAreRefusedBeforeTheRunFolderExists() throws {
        for (option, named) in [(["--orientations"], "--orientations"), (["--fill", "reflect"], "--fill reflect")] {
            let out = workspace.appendingPathComponent("plain")
            let outcome = try train("plain", ["--no-augmentation"] + option)
            XCTAssertNotEqual(outcome.status, 0, named)
            XCTAssertTrue(outcome.standardError.contains("--no-augmentation") && outcome.standardError.contains(named), outcome.standardError)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), named)
        }
    }

    /// `--orientations` is `train`'s default augmentation since it beat the PyTorch reference on ALL's
    /// grouped folds; `--no-orientations` keeps the study's augmentation exactly, and
    /// `--no-augmentation` alone is accepted (the default does not count as asking for it).
    func testOrientationsAreTheDefaultAndNoOrientationsKeepsTheStudysAugmentation() throws {
        let cases: [(run: String, options: [String], recorded: Bool?)] = [
            ("orientations-default", [], true), ("orientations-off", ["--no-orientations"], false),
            ("orientations-plain", ["--no-augmentation"], nil),
        ]
        for (run, options, recorded) in cases {
            let outcome = try train(run, options + ["--epochs", "1"])
            XCTAssertEqual(outcome.status, 0, "\(options): \(outcome.standardError)")
            let file = workspace.appendingPathComponent(run).appendingPathComponent("training-options.json")
            let saved = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            let augmentation = (saved["options"] as? [String: Any])?["augmentation"] as? [String: Any]
            XCTAssertEqual(augmentation?["randomOrientation"] as? Bool, recorded, "\(options)")
            XCTAssertEqual(augmentation == nil, recorded == nil, "\(options): augmentation recorded")
        }
    }

    func testMissingImageNetWeightsAndUnavailableModelsGetOneLineErrors() throws {
        let cache = workspace.appendingPathComponent("empty-cache")
        let outcome = try CommandRunner.run(["train", "--model", "efficientnet-lite0", "--data", data.path,
                                             "--out", workspace.appendingPathComponent("lite").path,
                                             "--weights-cache", cache.path])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.standardError.contains(cache.appendingPathComponent("efficientnet-lite0.safetensors").path),
                      outcome.standardError)
        XCTAssertTrue(outcome.standardError.contains("leukemia weights install efficientnet-lite0"), outcome.standardError)

        let noBackbone = try CommandRunner.run(["train", "--model", "hybrid", "--data", data.path,
                                                "--out", workspace.appendingPathComponent("hybrid").path])
        XCTAssertNotEqual(noBackbone.status, 0)
        XCTAssertTrue(noBackbone.standardError.contains("--backbone"), noBackbone.standardError)
        let hybrid = try CommandRunner.run(["train", "--model", "hybrid", "--backbone", "densenet201", "--data", data.path,
                                            "--out", workspace.appendingPathComponent("hybrid").path, "--weights-cache", cache.path])
        XCTAssertNotEqual(hybrid.status, 0)
        XCTAssertTrue(hybrid.standardError.contains(cache.appendingPathComponent("densenet201.safetensors").path),
                      hybrid.standardError)

        // Every architecture of the registry trains from the command line, from its own pretrained weights.
        for name in ["densenet121", "densenet169", "convnext-small", "vgg16-bn"] {
            let other = try CommandRunner.run(["train", "--model", name, "--data", data.path,
                                               "--out", workspace.appendingPathComponent(name).path, "--weights-cache", cache.path])
            XCTAssertNotEqual(other.status, 0)
            XCTAssertTrue(other.standardError.contains(cache.appendingPathComponent(name + ".safetensors").path), other.standardError)
        }

        let resume = try CommandRunner.run(["train", "--resume", "--out", workspace.appendingPathComponent("nothing").path])
        XCTAssertNotEqual(resume.status, 0)
        XCTAssertTrue(resume.standardError.contains("holds no interrupted training"), resume.standardError)
    }
}
