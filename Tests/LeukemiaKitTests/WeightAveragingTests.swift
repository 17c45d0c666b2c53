import Foundation
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import WeightFiles
import XCTest
@testable import LeukemiaKit

/// `train --average-from`: the running mean of the weights at the ends of epochs, kept in the
/// checkpoint, and kept as the run's weights when the validation part prefers it.
final class WeightAveragingTests: XCTestCase {
    /// Epoch e's weights are set by hand; from epoch 2 on the mean is the arithmetic mean of
    /// epochs 2...e, and epoch 1 never enters it.
    func testTheAverageIsTheMeanOfTheEpochsFromItsFirstOn() throws {
        var generator = SeededGenerator(seed: 1)
        let layer = try Linear(inFeatures: 2, outFeatures: 1, generator: &generator)
        let epochWeights: [[Float]] = [[1, 2], [4, 8], [7, 5], [10, 11]]
        var average = WeightAverage(firstEpoch: 2)
        for (index, weights) in epochWeights.enumerated() {
            try layer.loadStateDict(["weight": NamedArray(shape: [1, 2], values: weights),
                                     "bias": NamedArray(shape: [1], values: [Float(index)])])
            average.add(layer, afterEpoch: index + 1)
            XCTAssertEqual(average.epochs, index == 0 ? nil : 2...(index + 1))
        }
        XCTAssertEqual(average.mean["weight"], NamedArray(shape: [1, 2], values: [7, 8]))
        XCTAssertEqual(average.mean["bias"], NamedArray(shape: [1], values: [2]))
    }

    /// A checkpoint past the first averaged epoch must hold a mean, one before it must not.
    func testARestoredAverageMustMatchTheCheckpointsEpoch() throws {
        let saved: StateDict = ["weight": NamedArray(shape: [1], values: [3])]
        let restored = try WeightAverage(firstEpoch: 3, restoring: saved, afterEpoch: 5, checkpoint: "c.safetensors")
        XCTAssertEqual(restored.epochs, 3...5)
        XCTAssertEqual(restored.mean, saved)
        XCTAssertNil(try WeightAverage(firstEpoch: 3, restoring: nil, afterEpoch: 2, checkpoint: "c.safetensors").epochs)
        XCTAssertThrowsError(try WeightAverage(firstEpoch: 3, restoring: nil, afterEpoch: 3, checkpoint: "c.safetensors")) { error in
            XCTAssertEqual(error as? CNNTrainingError, .corruptCheckpoint("c.safetensors", reason: "no weight average although epochs 3–3 were averaged"))
        }
        XCTAssertThrowsError(try WeightAverage(firstEpoch: 3, restoring: saved, afterEpoch: 2, checkpoint: "c.safetensors"))
    }

    /// A checkpoint carries the average under `average.` and refuses one that does not fit the model.
    func testACheckpointCarriesTheAverageAndRefusesAMisshapedOne() throws {
        let url = try TemporaryFolder(self).url.appendingPathComponent("checkpoint.safetensors")
        var generator = SeededGenerator(seed: 1)
        let model = try Linear(inFeatures: 2, outFeatures: 1, generator: &generator)
        let optimizer = try Adam(parameters: model.parameters())
        let average: StateDict = ["weight": NamedArray(shape: [1, 2], values: [0.5, -1]), "bias": NamedArray(shape: [1], values: [4])]
        try TrainingCheckpoint.save(model: model, optimizer: optimizer, metadata: ["epoch": "2"], averagedModel: average, to: url)
        let loaded = try TrainingCheckpoint.load(into: model, optimizer: optimizer, from: url)
        XCTAssertEqual(loaded.metadata, ["epoch": "2"])
        XCTAssertEqual(loaded.averagedModel, average)
        try TrainingCheckpoint.save(model: model, optimizer: optimizer, to: url)
        XCTAssertNil(try TrainingCheckpoint.load(into: model, optimizer: optimizer, from: url).averagedModel)

        var contents = try SafeTensors.readContents(from: url)
        contents.tensors["average.weight"] = NamedArray(shape: [2], values: [0, 0])
        contents.tensors["average.bias"] = NamedArray(shape: [1], values: [0])
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: url)
        XCTAssertThrowsError(try TrainingCheckpoint.load(into: model, optimizer: optimizer, from: url)) { error in
            XCTAssertTrue("\(error)".contains("weight"), "\(error)")
        }
    }

    /// A tiny VGG-16-BN trained 4 epochs at 3e-2, averaging from epoch 2, batch norms recomputed:
    /// the checkpoints after epochs 2 and 3 hold the mean of those epochs' weights; a run stopped
    /// and resumed twice ends with the uninterrupted run's files; the last epoch's weights score a
    /// validation loss of 1.10 against the average's 1.27 (at this seed), so the epoch is kept,
    /// and the kept weights score what `config.json` records for them. Its refit does not average.
    func testAnAverageTheValidationDoesNotPreferIsScoredButNotKeptAndResumesExactly() throws {
        let fixture = try CNNTestFixture(self)
        var options = try CNNTestFixture.options(CNNTestFixture.tinyVGG, epochs: 4, learningRate: 3e-2)
        options.weightAveragingStart = 2
        options.batchNormRecomputationImages = 16
        options.earlyStoppingPatience = 10
        try CNNTrainer.train(fixture.request(options, run: "straight"))
        let run = fixture.run("resumed")
        try CNNTrainer.train(fixture.request(options, run: "resumed"), control: .init(stopAfterEpoch: 2))
        let afterTwo = try SafeTensors.readContents(from: run.checkpoint).tensors
        try CNNTrainer.resume(run.url, control: .init(stopAfterEpoch: 3))
        let afterThree = try SafeTensors.readContents(from: run.checkpoint).tensors
        XCTAssertEqual(afterThree.keys.filter { $0.hasPrefix("average.") }.count, afterThree.keys.filter { $0.hasPrefix("model.") }.count)
        for (key, third) in afterThree where key.hasPrefix("model.") {
            let name = String(key.dropFirst("model.".count))
            let second = try XCTUnwrap(afterTwo[key]).values
            XCTAssertEqual(afterTwo["average." + name]?.values, second, "after epoch 2 the average is epoch 2's \(name)")
            let mean = try XCTUnwrap(afterThree["average." + name]).values
            for index in mean.indices {
                XCTAssertEqual(mean[index], (second[index] + third.values[index]) / 2, accuracy: 1e-6 * max(1, abs(mean[index])),
                               "\(name)[\(index)]")
            }
        }
        let outcome = try CNNTrainer.resume(run.url)
        let straight = fixture.run("straight")
        XCTAssertEqual(try SafeTensors.read(from: straight.weights), try SafeTensors.read(from: run.weights))
        XCTAssertEqual(try SafeTensors.readContents(from: straight.checkpoint).tensors, try SafeTensors.readContents(from: run.checkpoint).tensors)
        XCTAssertEqual(try Data(contentsOf: straight.metrics), try Data(contentsOf: run.metrics))

        let (averageLoss, bestLoss) = try assertTheKeptWeightsScoreWhatTheRunRecords(run, fixture: fixture, kept: false)
        XCTAssertGreaterThan(averageLoss, bestLoss + 0.05, "the margin this test relies on")
        XCTAssertNil(outcome.averagedEpochs)
        XCTAssertEqual(outcome.bestEpoch, 4)
        let report = try String(contentsOf: run.report, encoding: .utf8)
        XCTAssertTrue(report.contains("epochs 2–4, validation loss 1.2"), report)
        XCTAssertTrue(report.contains("not kept"), report)

        // Its refit trains the best epoch count and keeps its last epoch, not an average.
        let refit = try CNNTrainer.refit(selection: straight.url, into: fixture.root.appendingPathComponent("refit"))
        XCTAssertEqual(refit.epochs.count, 4)
        XCTAssertNil(refit.averagedEpochs)
        let refitRun = fixture.run("refit")
        XCTAssertNil(try refitRun.loadConfiguration().refit?.averagedFromEpoch)
        let refitCheckpoint = try SafeTensors.readContents(from: refitRun.checkpoint).tensors
        XCTAssertFalse(refitCheckpoint.keys.contains { $0.hasPrefix("average.") })
        let lastEpoch = Dictionary(uniqueKeysWithValues: refitCheckpoint.filter { $0.key.hasPrefix("model.") }
            .map { (String($0.key.dropFirst("model.".count)), $0.value) })
        XCTAssertTrue(try SafeTensors.read(from: refitRun.weights) == lastEpoch, "the refit's weights are its last epoch's")
    }

    /// The head of a frozen tiny DenseNet at a rate of 0.5 overshoots from epoch to epoch; the mean
    /// of its epochs 2–4 scores a validation loss of about 5 against the best epoch's 9, and is
    /// kept. Its refit trains 4 epochs on train + validation and keeps its own average of epochs
    /// 2–4: the head in its weights is the mean its checkpoint holds.
    func testAnAverageTheValidationPrefersIsKeptAndItsRefitAveragesTheSameEpochs() throws {
        let fixture = try CNNTestFixture(self)
        var options = try CNNTestFixture.options(policy: .frozen, epochs: 4, learningRate: 0.5)
        options.weightAveragingStart = 2
        options.earlyStoppingPatience = 10
        let outcome = try Refit.train(fixture.request(options, run: "refit"))
        let refit = fixture.run("refit"), selection = RunDirectory(Refit.selectionDirectory(of: refit.url))

        let (averageLoss, bestLoss) = try assertTheKeptWeightsScoreWhatTheRunRecords(selection, fixture: fixture, kept: true)
        XCTAssertLessThan(averageLoss, bestLoss - 1, "the margin this test relies on")
        let selectionConfiguration = try selection.loadConfiguration()
        XCTAssertEqual(selectionConfiguration.hyperparameters["averaged_to_epoch"], 4)
        XCTAssertEqual(try SafeTensors.readContents(from: selection.weights).metadata["epochs_averaged"], "2-4")

        XCTAssertEqual(outcome.epochs.count, 4)
        XCTAssertEqual(outcome.averagedEpochs, 2...4)
        let configuration = try refit.loadConfiguration()
        XCTAssertEqual(configuration.refit?.averagedFromEpoch, 2)
        let checkpoint = try SafeTensors.readContents(from: refit.checkpoint).tensors
        let weights = try SafeTensors.read(from: refit.weights)
        let averaged = checkpoint.filter { $0.key.hasPrefix("average.") }
        XCTAssertFalse(averaged.isEmpty)
        for (key, mean) in averaged {
            let name = "classifier." + key.dropFirst("average.".count)
            XCTAssertEqual(weights[name], mean, name)
            XCTAssertNotEqual(checkpoint["model." + key.dropFirst("average.".count)], mean, "the last epoch's \(name) differs from the mean")
        }
    }

    /// Scores the run's kept weights on its validation part and checks them against
    /// `config.json`: the average's loss if `kept`, else the best epoch's; returns both recorded losses.
    private func assertTheKeptWeightsScoreWhatTheRunRecords(_ run: RunDirectory, fixture: CNNTestFixture, kept: Bool,
                                                            line: UInt = #line) throws -> (average: Double, best: Double) {
        let configuration = try run.loadConfiguration()
        let averageLoss = try XCTUnwrap(configuration.hyperparameters["weight_average_validation_loss"])
        let bestLoss = try XCTUnwrap(configuration.hyperparameters["best_validation_loss"])
        XCTAssertEqual(averageLoss < bestLoss, kept, line: line)
        XCTAssertEqual(configuration.hyperparameters["averaged_from_epoch"], kept ? 2 : nil, line: line)
        let loss = try fixture.validationLoss(of: run)
        XCTAssertEqual(loss, kept ? averageLoss : bestLoss, accuracy: 1e-4, "the kept weights' validation loss", line: line)
        return (averageLoss, bestLoss)
    }
}
