import Datasets
import Evaluation
import Foundation
import Imaging
import ModelZoo
import NeuralNetworks
import TestSupport
import WeightFiles
import XCTest
@testable import LeukemiaKit

/// `train --model cell-attention` end to end on synthetic smears (the class sets the number and
/// size of purple discs), with EfficientNet-Lite0 bodies at 32 or 48 pixels as the frozen cell
/// embedder (ImageNet's weights where the class must be learned, random ones elsewhere): what is
/// found, cached, trained, scored and refused.
final class CellAttentionTrainingTests: XCTestCase {
    private func options(weights: WeightsSource = .none, seed: UInt64 = 5, epochs: Int = 40, inputSize: Int = 32,
                         versions: Int = 2) -> CellAttentionOptions {
        CellAttentionOptions(cellSize: 64, embeddingInputSize: inputSize, backboneWeights: weights, augmentedVersions: versions,
                             network: CellAttentionNetwork.Configuration(projectedSize: 32, attentionSize: 16, dropoutRate: 0,
                                                                          classCount: 4),
                             maximumEpochs: epochs, bagsPerStep: 4, learningRate: 3e-3, earlyStoppingPatience: 15, seed: seed)
    }

    private func request(_ fixture: CNNTestFixture, _ options: CellAttentionOptions, run: String,
                         weightsCache: URL? = nil) -> CellAttentionTrainingRequest {
        CellAttentionTrainingRequest(options: options, data: TrainingData(directory: fixture.data), runDirectory: fixture.root.appendingPathComponent(run),
                                     split: SplitConfiguration(seed: 3), weightsCache: weightsCache ?? fixture.weightsCache,
                                     featureCache: fixture.featureCache)
    }

    func testTrainingFindsTheCellsLearnsTheClassesAndEvaluatesToTheSameScores() throws {
        let store = try RealData.lite0WeightStore()
        let fixture = try CNNTestFixture(self, perClass: 10)
        var lines: [String] = []
        let imagenet = options(weights: .imagenet, epochs: 15, inputSize: 48)
        let metrics = try XCTUnwrap(try CellAttentionTrainer.train(request(fixture, imagenet, run: "cells", weightsCache: store.folder),
                                                                   control: CNNTrainingControl(log: { lines.append($0) })))
        let log = lines.joined(separator: "\n")
        print(log)
        // Class i has i + 1 discs: the training part holds about 2.5 cells per image on average.
        let trainLine = try XCTUnwrap(lines.first { $0.hasPrefix("train: ") }, log)
        XCTAssertTrue(trainLine.contains("2 symmetries each"), trainLine)
        let cells = try XCTUnwrap(Int(trainLine.split(separator: " ")[3]), trainLine)
        let images = try XCTUnwrap(Int(trainLine.split(separator: " ")[1]), trainLine)
        XCTAssertEqual(Double(cells) / Double(images), 2.5, accuracy: 0.6, "1 to 4 discs per image, some touching\n\(trainLine)")
        XCTAssertGreaterThanOrEqual(metrics.accuracy, 0.6, "chance is 0.25; the disc count and size decide the class\n\(log)")

        // The run opens through the one inference path and scores its test part as training did.
        let run = try CellAttentionRun.open(RunDirectory(fixture.root.appendingPathComponent("cells")),
                                            configuration: RunDirectory(fixture.root.appendingPathComponent("cells")).loadConfiguration(),
                                            weightsCache: store.folder)
        XCTAssertTrue(try TrainedRuns.open(fixture.root.appendingPathComponent("cells")) is CellAttentionRun)
        XCTAssertEqual(run.configuration.model, "cell-attention")
        XCTAssertNotNil(run.configuration.peakMemoryMiB)
        let evaluation = try RunEvaluation.evaluateTestPart(of: run, cost: run.configuration.costMatrix,
                                                            reportFolder: fixture.root.appendingPathComponent("evaluate"))
        XCTAssertEqual(evaluation.metrics.accuracy, metrics.accuracy, accuracy: 1e-12)
        XCTAssertEqual(evaluation.metrics.totalCost, metrics.totalCost, accuracy: 1e-9)

        // Its explanation is the attention of each cell found: weights summing to 1, heaviest first,
        // the heaviest cell's box drawn in viridis' yellow.
        let image = fixture.data.appendingPathComponent("Pro/Pro-001.jpg")
        let (explanation, overlay) = try CellAttentionExplanation.explain(fileAt: image, with: run, into: fixture.root.appendingPathComponent("explain"),
                                                                          stem: "pro-1")
        XCTAssertFalse(explanation.wholeImage)
        XCTAssertEqual(explanation.cells.map(\.weight).reduce(0, +), 1, accuracy: 1e-4)
        XCTAssertEqual(explanation.cells.map(\.weight), explanation.cells.map(\.weight).sorted(by: >))
        let drawn = try ImageDecoder.decode(fileAt: overlay)
        let heaviest = try XCTUnwrap(explanation.cells.first).cell.box
        let corner = drawn.pixel(x: heaviest.x, y: heaviest.y)
        XCTAssertEqual(RGBColor(red: corner.red, green: corner.green, blue: corner.blue), RGBColor.viridis(1))
        XCTAssertTrue(FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("explain/pro-1.attention.json").path))

        // A second training on the same images and backbone embeds nothing again.
        lines = []
        try CellAttentionTrainer.train(request(fixture, options(weights: .imagenet, epochs: 2, inputSize: 48), run: "again",
                                               weightsCache: store.folder), control: CNNTrainingControl(log: { lines.append($0) }))
        let again = try XCTUnwrap(lines.first { $0.hasPrefix("train: ") })
        XCTAssertTrue(again.contains("; 0 embedded in"), again)
    }

    func testAnImageWithoutCellsIsABagOfTheWholeImage() throws {
        let fixture = try CNNTestFixture(self, perClass: 1)
        let embedder = try CellEmbedder(options: options(), weightsCache: fixture.weightsCache, featureCache: nil)
        let blank = try RGBImage(width: 224, height: 224, pixels: [UInt8](repeating: 0, count: 224 * 224 * 3).enumerated().map {
            [UInt8(230), 200, 212][$0.offset % 3]
        })
        let (cells, crops) = try options().cells(in: blank)
        XCTAssertTrue(cells.isEmpty)
        XCTAssertEqual(crops.count, 1, "the whole image is the one instance")
        XCTAssertEqual(crops[0], blank.resized(width: 32, height: 32))
        let bag = try embedder.bags(of: [blank], contentHashes: nil, versions: 1).bags[0]
        XCTAssertTrue(bag.isWholeImage)
        XCTAssertEqual(bag.instanceCount, 1)
        XCTAssertEqual(bag.embeddings[0].count, embedder.featureCount)
    }

    func testTheEmbeddingCacheFollowsTheBackbonesWeights() throws {
        let fixture = try CNNTestFixture(self, perClass: 1)
        // Two weight files of the same architecture: the second differs from the first.
        let weights = fixture.root.appendingPathComponent("lite0.safetensors")
        let backbone = try Architecture.efficientnetLite0.makeNetwork(classCount: 4, seed: 1)
        try saveWeights(of: backbone, to: weights)
        let first = try CellEmbedder(options: options(weights: .file(weights.path)), weightsCache: fixture.weightsCache,
                                     featureCache: fixture.featureCache)
        let image = try ImageDecoder.decode(fileAt: fixture.data.appendingPathComponent("Pro/Pro-001.jpg")).resized(width: 224, height: 224)
        XCTAssertEqual(try first.bags(of: [image], contentHashes: ["pro-1"], versions: 2).computed, 1)
        XCTAssertEqual(try first.bags(of: [image], contentHashes: ["pro-1"], versions: 2).computed, 0, "read back from the cache")
        XCTAssertEqual(try first.bags(of: [image], contentHashes: ["pro-1"], versions: 1).computed, 0, "fewer symmetries: a cut")

        try saveWeights(of: try Architecture.efficientnetLite0.makeNetwork(classCount: 4, seed: 2), to: weights)
        let second = try CellEmbedder(options: options(weights: .file(weights.path)), weightsCache: fixture.weightsCache,
                                      featureCache: fixture.featureCache)
        XCTAssertNotEqual(first.backboneKey, second.backboneKey)
        XCTAssertNotEqual(first.cacheFolder, second.cacheFolder)
        let recomputed = try second.bags(of: [image], contentHashes: ["pro-1"], versions: 2)
        XCTAssertEqual(recomputed.computed, 1, "other weights: the cached embeddings are not used")
        XCTAssertNotEqual(recomputed.bags[0].embeddings[0], try first.bags(of: [image], contentHashes: ["pro-1"], versions: 2).bags[0].embeddings[0])
    }

    func testARunRefusesABackboneWhoseWeightsChanged() throws {
        let fixture = try CNNTestFixture(self, perClass: 4)
        let weights = fixture.root.appendingPathComponent("lite0.safetensors")
        try saveWeights(of: try Architecture.efficientnetLite0.makeNetwork(classCount: 4, seed: 1), to: weights)
        try CellAttentionTrainer.train(request(fixture, options(weights: .file(weights.path), epochs: 2), run: "cells"))
        XCTAssertNoThrow(try TrainedRuns.open(fixture.root.appendingPathComponent("cells")))
        try saveWeights(of: try Architecture.efficientnetLite0.makeNetwork(classCount: 4, seed: 2), to: weights)
        XCTAssertThrowsError(try TrainedRuns.open(fixture.root.appendingPathComponent("cells"))) { error in
            XCTAssertTrue("\(error)".contains("backbone"), "\(error)")
            XCTAssertTrue("\(error)".contains("is not the file its training wrote"), "\(error)")
        }
    }

    /// A Lite0 weights file drawn from `seed` (random weights: these tests check the wiring).
    private func lite0Weights(_ fixture: CNNTestFixture, seed: UInt64 = 1) throws -> URL {
        let weights = fixture.root.appendingPathComponent("lite0-\(seed).safetensors")
        try saveWeights(of: try Architecture.efficientnetLite0.makeNetwork(classCount: 4, seed: seed), to: weights)
        return weights
    }

    func testAKilledTrainingResumesToTheWeightsOfAnUninterruptedOne() throws {
        // With dropout in the attention network (its masks are drawn per epoch), and under
        // top-blocks (the backbone's weights, batch-norm statistics and both Adam groups restored).
        let fixture = try CNNTestFixture(self, perClass: 4)
        let weights = try lite0Weights(fixture)
        for policy in [TransferPolicy.frozen, .topBlocks] {
            var options = self.options(weights: .file(weights.path), epochs: 3)
            options.network.dropoutRate = 0.25
            options.policy = policy
            let whole = fixture.root.appendingPathComponent("\(policy.rawValue)-whole")
            let killed = fixture.root.appendingPathComponent("\(policy.rawValue)-killed")
            let uninterrupted = try XCTUnwrap(try CellAttentionTrainer.train(request(fixture, options, run: whole.lastPathComponent)))
            XCTAssertNil(try CellAttentionTrainer.train(request(fixture, options, run: killed.lastPathComponent),
                                                        control: CNNTrainingControl(stopAfterEpoch: 1)))
            XCTAssertFalse(TrainingJob.isFinished(killed))
            XCTAssertThrowsError(try CellAttentionTrainer.train(request(fixture, options, run: killed.lastPathComponent))) { error in
                XCTAssertTrue("\(error)".contains("--resume"), "a new training refuses the interrupted one's folder: \(error)")
            }
            var lines: [String] = []
            let resumed = try XCTUnwrap(try TrainingJob.resume(killed, dataDirectory: nil, control: CNNTrainingControl(log: { lines.append($0) })))
            XCTAssertTrue(lines.contains { $0.hasPrefix("resuming after epoch 1") }, lines.joined(separator: "\n"))
            XCTAssertEqual(lines.filter { $0.hasPrefix("epoch ") }.count, 2, "epochs 2 and 3 only")
            var files = ["weights.safetensors", "epochs.jsonl"]
            if policy == .topBlocks { files.append("backbone.safetensors") }
            for file in files {
                XCTAssertEqual(try Data(contentsOf: killed.appendingPathComponent(file)), try Data(contentsOf: whole.appendingPathComponent(file)),
                               "\(policy.rawValue): \(file) of the resumed run equals the uninterrupted run's")
            }
            XCTAssertEqual(resumed.accuracy, uninterrupted.accuracy)
            XCTAssertEqual(resumed.totalCost, uninterrupted.totalCost)
        }
    }

    func testTopBlocksFineTunesOnlyTheTopBlocksAndTheRunKeepsItsBackbone() throws {
        let fixture = try CNNTestFixture(self, perClass: 4)
        let weights = try lite0Weights(fixture)
        var options = self.options(weights: .file(weights.path), epochs: 2)
        options.policy = .topBlocks
        options.backboneLearningRate = 1e-2
        let runURL = fixture.root.appendingPathComponent("top")
        let metrics = try XCTUnwrap(try CellAttentionTrainer.train(request(fixture, options, run: "top")))

        // Which keys trained: those the top-blocks policy unfreezes, the backbone's unused head aside.
        let reference = try Architecture.efficientnetLite0.makeNetwork(classCount: 4, seed: 1)
        try TransferPolicy.topBlocks.apply(to: reference)
        let trained = Set(reference.namedParameters().filter { !$0.parameter.isFrozen && !reference.isHeadKey($0.name) }.map(\.name))
        XCTAssertTrue(trained.contains { $0.hasPrefix(reference.topBlocksStart + ".") })
        let before = try SafeTensors.readContents(from: weights).tensors
        let after = try SafeTensors.readContents(from: runURL.appendingPathComponent("backbone.safetensors")).tensors
        XCTAssertEqual(Set(before.keys), Set(after.keys))
        // The trained layers' batch-norm statistics follow their batches; every other layer's stay.
        func layer(_ key: String) -> Substring { key[..<(key.lastIndex(of: ".") ?? key.endIndex)] }
        let trainedLayers = Set(trained.map(layer))
        var changed = 0
        for (key, array) in before where !reference.isHeadKey(key) {
            let tuned = try XCTUnwrap(after[key], key)
            if trained.contains(key) {
                if tuned.values != array.values { changed += 1 }
            } else if !trainedLayers.contains(layer(key)) {
                XCTAssertTrue(tuned.values == array.values, "\(key) is below the top blocks and stays as loaded")
            }
        }
        XCTAssertGreaterThan(changed, trained.count * 9 / 10, "the top blocks' weights moved")

        // The run embeds with its own backbone: it opens, scores its test part as training did,
        // records the policy, and refuses a backbone file that is not the one it wrote.
        let configuration = try RunDirectory(runURL).loadConfiguration()
        XCTAssertEqual(configuration.cellAttention?.options.policy, .topBlocks)
        XCTAssertNotNil(configuration.fileHashes?["backbone.safetensors"])
        let run = try XCTUnwrap(try TrainedRuns.open(runURL) as? CellAttentionRun)
        let evaluation = try RunEvaluation.evaluateTestPart(of: run, cost: configuration.costMatrix,
                                                            reportFolder: fixture.root.appendingPathComponent("evaluate"))
        XCTAssertEqual(evaluation.metrics.accuracy, metrics.accuracy, accuracy: 1e-12)
        XCTAssertEqual(evaluation.metrics.totalCost, metrics.totalCost, accuracy: 1e-9)
        try FileManager.default.removeItem(at: runURL.appendingPathComponent("backbone.safetensors"))
        try FileManager.default.copyItem(at: weights, to: runURL.appendingPathComponent("backbone.safetensors"))
        XCTAssertThrowsError(try TrainedRuns.open(runURL)) { error in
            XCTAssertTrue("\(error)".contains("backbone.safetensors"), "\(error)")
        }
    }

    func testOptionsOutOfRangeAndOldRecordsAreHandled() throws {
        var options = self.options()
        options.policy = .full
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("frozen or top-blocks"), "\($0)") }
        // A run recorded before the policy existed reads as a frozen backbone.
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONEncoder().encode(self.options())) as? [String: Any])
        object["policy"] = nil
        object["backbone_learning_rate"] = nil
        let old = try JSONDecoder().decode(CellAttentionOptions.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old.policy, .frozen)
        XCTAssertEqual(old, self.options())
    }
}
