import Datasets
import Evaluation
import Foundation
import Imaging
import ModelZoo
import NeuralNetworks
import TestSupport
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
        let metrics = try CellAttentionTrainer.train(request(fixture, imagenet, run: "cells", weightsCache: store.folder)) {
            lines.append($0)
        }
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
                                               weightsCache: store.folder)) { lines.append($0) }
        let again = try XCTUnwrap(lines.first { $0.hasPrefix("train: ") })
        XCTAssertTrue(again.contains("; 0 embedded in"), again)
    }

    func testAnImageWithoutCellsIsABagOfTheWholeImage() throws {
        let fixture = try CNNTestFixture(self, perClass: 1)
        let embedder = try CellEmbedder(options: options(), weightsCache: fixture.weightsCache, featureCache: nil)
        let blank = try RGBImage(width: 224, height: 224, pixels: [UInt8](repeating: 0, count: 224 * 224 * 3).enumerated().map {
            [UInt8(230), 200, 212][$0.offset % 3]
        })
        let (cells, crops) = try embedder.crops(of: blank)
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
}
