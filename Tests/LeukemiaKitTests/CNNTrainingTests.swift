import Datasets
import Foundation
import ModelZoo
import NeuralNetworks
import Tensors
import WeightFiles
import XCTest
@testable import LeukemiaKit

/// Training CNNs end to end on tiny synthetic data: learning, resumption, early stopping.
final class CNNTrainingTests: XCTestCase {
    func testTheTrainingLossFallsAndTheRunIsComplete() throws {
        let fixture = try CNNTestFixture(self)
        let outcome = try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 6, learningRate: 1e-2), run: "run"))
        let losses = outcome.epochs.map(\.trainLoss)
        XCTAssertEqual(outcome.epochs.map(\.epoch), Array(1...6))
        XCTAssertLessThan(losses.last!, losses.first! * 0.8, "training loss \(losses)")
        let run = fixture.run("run")
        for file in [run.configuration, run.splitManifest, run.weights, run.checkpoint, run.epochLog, run.curves,
                     run.metrics, run.report, run.trainingSession] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), file.lastPathComponent)
        }
        XCTAssertEqual(try EpochLog(url: run.epochLog).read(), outcome.epochs)
        let configuration = try run.loadConfiguration()
        XCTAssertEqual(configuration.model, "densenet201")
        XCTAssertEqual(configuration.cnn?.blueprint, CNNTestFixture.tinyDenseNet)
        XCTAssertNotNil(outcome.testMetrics)
    }

    func testAResumedRunEndsExactlyWhereTheUninterruptedRunEnds() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(CNNTestFixture.tinyVGG, epochs: 4)
        try CNNTrainer.train(fixture.request(options, run: "straight"))
        let stopped = try CNNTrainer.train(fixture.request(options, run: "resumed"), control: .init(stopAfterEpoch: 2))
        XCTAssertEqual(stopped.epochs.count, 2)
        XCTAssertNil(stopped.testMetrics)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.run("resumed").configuration.path))
        XCTAssertThrowsError(try CNNTrainer.train(fixture.request(options, run: "resumed"))) { error in
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        let resumed = try CNNTrainer.resume(fixture.run("resumed").url)
        XCTAssertEqual(resumed.epochs.count, 4)

        let (a, b) = (fixture.run("straight"), fixture.run("resumed"))
        XCTAssertEqual(try String(contentsOf: a.epochLog, encoding: .utf8), try String(contentsOf: b.epochLog, encoding: .utf8))
        XCTAssertEqual(try SafeTensors.read(from: a.weights), try SafeTensors.read(from: b.weights))
        XCTAssertEqual(try SafeTensors.readContents(from: a.checkpoint).tensors, try SafeTensors.readContents(from: b.checkpoint).tensors)
        XCTAssertEqual(try Data(contentsOf: a.metrics), try Data(contentsOf: b.metrics))
        XCTAssertThrowsError(try CNNTrainer.resume(b.url)) { error in
            XCTAssertEqual(error as? CNNTrainingError, .alreadyFinished(b.url.path))
        }
    }

    func testEarlyStoppingEndsAfterThePatienceAndKeepsTheBestEpochsWeights() throws {
        let fixture = try CNNTestFixture(self)
        // A frozen random backbone and an oversized rate make the head's validation loss rise again.
        var options = try CNNTestFixture.options(policy: .frozen, epochs: 40, learningRate: 0.5)
        options.earlyStoppingPatience = 2
        options.plateauPatience = 10
        let outcome = try CNNTrainer.train(fixture.request(options, run: "run"))
        let losses = try outcome.epochs.map { try XCTUnwrap($0.validationLoss) }
        let best = losses.indices.min { losses[$0] < losses[$1] }! + 1
        XCTAssertTrue(outcome.stoppedEarly, "validation losses \(losses)")
        XCTAssertEqual(outcome.bestEpoch, best)
        XCTAssertEqual(outcome.epochs.count, best + 2)
        XCTAssertEqual(outcome.epochs.filter(\.isBest).last?.epoch, best)

        // The kept weights reproduce the best epoch's validation loss, not the last one's.
        let loss = try fixture.validationLoss(of: fixture.run("run"))
        XCTAssertEqual(loss, losses[best - 1], accuracy: 1e-4)
        XCTAssertNotEqual(loss, losses.last!, accuracy: 1e-4)
    }

    /// `--schedule cosine`: epoch e of E = 4 trains at 0.5 · (1 + cos(π (e - 1) / 4)) / 2 whatever
    /// the validation scores (selected on the accuracy of a few images, which soon repeats, and a
    /// plateau patience of 0 would have lowered the rate after the first epoch that does not raise
    /// it); a run stopped after epoch 2 and resumed logs the same epochs; the run and its report say
    /// which schedule it followed.
    func testACosineScheduleSetsEachEpochsRateWhateverTheValidationScores() throws {
        let fixture = try CNNTestFixture(self)
        var options = try CNNTestFixture.options(policy: .frozen, epochs: 4, learningRate: 0.5)
        options.schedule = .cosine
        options.selection = .accuracy
        options.plateauPatience = 0
        options.earlyStoppingPatience = 10
        let outcome = try CNNTrainer.train(fixture.request(options, run: "straight"))
        let halfRoot2 = 0.5.squareRoot()
        let expected = [0.5, 0.5 * (1 + halfRoot2) / 2, 0.25, 0.5 * (1 - halfRoot2) / 2]
        XCTAssertEqual(outcome.epochs.count, 4)
        for (record, rate) in zip(outcome.epochs, expected) {
            XCTAssertEqual(record.learningRate, rate, accuracy: 1e-7, "epoch \(record.epoch)")
        }
        let accuracies = try outcome.epochs.map { try XCTUnwrap($0.validationAccuracy) }
        XCTAssertTrue(accuracies.indices.dropFirst().contains { accuracies[$0] <= accuracies[..<$0].max()! },
                      "an epoch without a higher accuracy: \(accuracies)")

        try CNNTrainer.train(fixture.request(options, run: "resumed"), control: .init(stopAfterEpoch: 2))
        try CNNTrainer.resume(fixture.run("resumed").url)
        XCTAssertEqual(try String(contentsOf: fixture.run("straight").epochLog, encoding: .utf8),
                       try String(contentsOf: fixture.run("resumed").epochLog, encoding: .utf8))
        XCTAssertEqual(try TrainedRuns.open(fixture.run("straight").url).configuration.cnn?.schedule, .cosine)
        let report = try String(contentsOf: fixture.run("straight").url.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("0.5, cosine schedule"), report)
    }

    func testEarlyStoppingCountsEpochsWithoutALowerLoss() {
        var stopping = EarlyStopping(patience: 2)
        let decisions = [1.0, 0.8, 0.9, 0.8, 0.7, 0.75, 0.71].enumerated().map {
            stopping.record(validationLoss: $1, epoch: $0 + 1)
        }
        XCTAssertEqual(decisions.map(\.isBest), [true, true, false, false, true, false, false])
        XCTAssertEqual(decisions.map(\.shouldStop), [false, false, false, true, false, false, true])
        XCTAssertEqual(stopping.bestEpoch, 5)
        XCTAssertEqual(stopping.bestLoss, 0.7)
    }

    func testMissingImageNetWeightsNameTheFileAndTheImportCommand() throws {
        let fixture = try CNNTestFixture(self)
        var options = try CNNTestFixture.options()
        options.weights = .imagenet
        XCTAssertThrowsError(try CNNTrainer.train(fixture.request(options, run: "run"))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(fixture.weightsCache.appendingPathComponent("densenet201.safetensors").path), message)
            XCTAssertTrue(message.contains("leukemia weights import densenet201"), message)
            XCTAssertTrue(message.contains("--weights none"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.run("run").url.path), "nothing is written")
    }

    func testWeightsOfAnotherNetworkAreRefusedByNameAndTheDirectoryStaysUsable() throws {
        let fixture = try CNNTestFixture(self)
        let foreign = fixture.root.appendingPathComponent("vgg.safetensors")
        try saveWeights(of: try CNNTestFixture.tinyVGG.makeNetwork(seed: 1), to: foreign)
        var options = try CNNTestFixture.options(epochs: 1)
        options.weights = .file(foreign.path)
        XCTAssertThrowsError(try CNNTrainer.train(fixture.request(options, run: "run"))) { error in
            guard case .incompatibleWeights(let path, _)? = error as? CNNTrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, foreign.path)
        }
        options.weights = .none
        XCTAssertEqual(try CNNTrainer.train(fixture.request(options, run: "run")).epochs.count, 1)
    }

    func testADivergingTrainingStopsAtTheFirstNonFiniteStepAndKeepsItsLastGoodCheckpoint() throws {
        let fixture = try CNNTestFixture(self)
        try CNNTrainer.train(fixture.request(try CNNTestFixture.options(epochs: 3), run: "run"), control: .init(stopAfterEpoch: 1))
        let run = fixture.run("run")
        // Weights at the edge of Float's range, as a diverging run reaches them: the next forward
        // pass overflows.
        var contents = try SafeTensors.readContents(from: run.checkpoint)
        let count = try XCTUnwrap(contents.tensors["model.classifier.weight"]).values.count
        contents.tensors["model.classifier.weight"]?.values = Array(repeating: 3e38, count: count)
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: run.checkpoint)
        let checkpoint = try Data(contentsOf: run.checkpoint)
        XCTAssertThrowsError(try CNNTrainer.resume(run.url)) { error in
            guard case let .nonFinite(epoch, batch, _, _)? = error as? CNNTrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(epoch, 2)
            XCTAssertGreaterThanOrEqual(batch, 1)
            XCTAssertTrue("\(error)".contains("training stopped at epoch 2, batch \(batch)"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: run.checkpoint), checkpoint, "the last good checkpoint is kept")
        let restored = try CNNTestFixture.tinyDenseNet.makeNetwork(seed: 1)
        XCTAssertNoThrow(try loadWeights(into: restored, from: run.weights), "and the best weights load")
    }

    func testTheHybridTrainsResumesExactlyAndItsFrozenBackboneStaysUnchanged() throws {
        let fixture = try CNNTestFixture(self)
        var options = try CNNTestFixture.options(CNNTestFixture.tinyHybrid, policy: .frozen, epochs: 4, learningRate: 1e-2)
        options.network = NetworkDescription(.hybrid, backbone: .densenet201, hybridVariant: .light, classCount: 4, inputSize: 32)
        let straight = try CNNTrainer.train(fixture.request(options, run: "straight"))
        XCTAssertLessThan(straight.epochs.last!.trainLoss, straight.epochs.first!.trainLoss, "\(straight.epochs.map(\.trainLoss))")
        try CNNTrainer.train(fixture.request(options, run: "resumed"), control: .init(stopAfterEpoch: 2))
        try CNNTrainer.resume(fixture.run("resumed").url)
        XCTAssertEqual(try Data(contentsOf: fixture.run("straight").epochLog), try Data(contentsOf: fixture.run("resumed").epochLog))
        let weights = try SafeTensors.read(from: fixture.run("straight").weights)
        XCTAssertEqual(weights, try SafeTensors.read(from: fixture.run("resumed").weights))

        let initial = try CNNTestFixture.tinyHybrid.makeNetwork(seed: options.seed).stateDict()
        let backboneKeys = initial.keys.filter { $0.hasPrefix("backbone.") }
        XCTAssertFalse(backboneKeys.isEmpty)
        for key in backboneKeys { XCTAssertEqual(weights[key], initial[key], key) }
        XCTAssertNotEqual(weights["unet.conv1.0.weight"], initial["unet.conv1.0.weight"])
        XCTAssertEqual(try TrainedRuns.open(fixture.run("straight").url).configuration.model, "hybrid")
    }

    func testABackboneLearningRateReachesTheBackboneAndTheRestKeepsTheLearningRate() throws {
        // At backbone rate 0 the pretrained parameters stay as they were, whatever trains beside
        // them: the hybrid's U-Net and dense head, a plain network's classifier. Resumed runs agree.
        let fixture = try CNNTestFixture(self)
        for (name, blueprint, trainedKey) in [("hybrid", CNNTestFixture.tinyHybrid, "unet.conv1.0.weight"),
                                              ("densenet", CNNTestFixture.tinyDenseNet, "classifier.weight")] {
            var options = try CNNTestFixture.options(blueprint, policy: .full, epochs: 2, learningRate: 1e-2)
            if name == "hybrid" {
                options.network = NetworkDescription(.hybrid, backbone: .densenet201, hybridVariant: .light, classCount: 4, inputSize: 32)
            }
            options.backboneLearningRate = 0
            let straight = try CNNTrainer.train(fixture.request(options, run: "\(name)-straight"))
            XCTAssertEqual(straight.epochs.count, 2)
            try CNNTrainer.train(fixture.request(options, run: "\(name)-resumed"), control: .init(stopAfterEpoch: 1))
            try TrainingJob.resume(fixture.run("\(name)-resumed").url, dataDirectory: nil, control: .init())
            let weights = try SafeTensors.read(from: fixture.run("\(name)-straight").weights)
            XCTAssertEqual(weights, try SafeTensors.read(from: fixture.run("\(name)-resumed").weights), name)

            let network = try blueprint.makeNetwork(seed: options.seed)
            let initial = network.stateDict()
            let head = Set(network.head.namedParameters().map { network.headKey + "." + $0.name })
            let backbone = network.pretrainedBody === network ? "" : "backbone."
            let backboneParameters = network.namedParameters().map(\.name)
                .filter { $0.hasPrefix(backbone) && !head.contains($0) }
            XCTAssertGreaterThan(backboneParameters.count, 4, name)
            for key in backboneParameters { XCTAssertEqual(weights[key], initial[key], "\(name): \(key) at rate 0") }
            XCTAssertNotEqual(weights[trainedKey], initial[trainedKey], "\(name): \(trainedKey) trains at --learning-rate")
            let configuration = try TrainedRuns.open(fixture.run("\(name)-straight").url).configuration
            XCTAssertEqual(configuration.cnn?.backboneLearningRate, 0)
        }
        var frozen = try CNNTestFixture.options(policy: .frozen)
        frozen.backboneLearningRate = 1e-5
        XCTAssertThrowsError(try frozen.validate()) { XCTAssertTrue("\($0)".contains("backbone-learning-rate"), "\($0)") }
    }

    func testTheProfileOfAnEpochAccountsForItsTimeByOperation() throws {
        let fixture = try CNNTestFixture(self)
        let options = try CNNTestFixture.options(epochs: 1)
        var lines: [String] = []
        try CNNTrainer.train(fixture.request(options, run: "profiled"), control: .init(log: { lines.append($0) }, profile: true))
        let log = lines.joined(separator: "\n")
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("profile of epoch 1: ") }, log)
        let wall = try XCTUnwrap(Double(lines[header].split(separator: " ")[4]), lines[header])
        // "  CATEGORY   N calls   S s   P %", or without calls for the wait and the rest.
        var seconds: [String: Double] = [:], calls: [String: Int] = [:]
        for line in lines[(header + 1)...].prefix { $0.hasPrefix("  ") } {
            let fields = line.split(separator: " ")
            let value = try XCTUnwrap(Double(fields[fields.count - 4]), line)
            let name: String
            if let index = fields.firstIndex(of: "calls") {
                name = fields[..<(index - 1)].joined(separator: " ")
                calls[name] = Int(fields[index - 1])
            } else {
                name = fields[..<(fields.count - 4)].joined(separator: " ")
            }
            seconds[name] = value
        }
        for category in ["convolution forward_training", "convolution backward_data", "batch_normalization forward_training",
                         "optimizer step (Adam)", "waiting for prepared batches", "other (autograd, allocation, the rest of Swift)"] {
            XCTAssertNotNil(seconds[category], "\(category) in\n\(log)")
        }
        let trainImages = try XCTUnwrap(lines.first { $0.hasPrefix("data: train ") }.flatMap { Int($0.split(separator: " ")[2].dropLast()) }, log)
        XCTAssertEqual(calls["optimizer step (Adam)"], (trainImages + options.batchSize - 1) / options.batchSize, "one step a batch\n\(log)")
        XCTAssertNotNil(calls["convolution forward_inference"], "validation runs the inference network\n\(log)")
        // The categories never nest: the measured ones add up to no more than the wall time.
        // (The wall time is printed to 0.1 s, each category to 0.01 s.)
        XCTAssertLessThanOrEqual(seconds.values.reduce(0, +), wall + 0.05 + 0.005 * Double(seconds.count), log)
        XCTAssertGreaterThan(calls.filter { $0.key.hasPrefix("convolution") }.values.reduce(0, +), 40, "every convolution call is counted\n\(log)")
    }

    func testTheKeptEpochFollowsTheSelectionAndTheRunSaysWhich() throws {
        // A hybrid whose validation loss carries a large L2 term (logged as validation_regularization):
        // each selection keeps the first epoch with the lowest value of its own quantity.
        let fixture = try CNNTestFixture(self)
        for selection in ModelSelection.allCases {
            var options = try CNNTestFixture.options(CNNTestFixture.tinyHybrid(l2: 1), policy: .frozen, epochs: 5, learningRate: 1e-2)
            options.network = NetworkDescription(.hybrid, backbone: .densenet201, hybridVariant: .light, classCount: 4, inputSize: 32)
            options.selection = selection
            options.earlyStoppingPatience = 10
            let outcome = try CNNTrainer.train(fixture.request(options, run: selection.rawValue))
            let records = try EpochLog(url: fixture.run(selection.rawValue).epochLog).read()
            XCTAssertEqual(records.count, 5)
            let values = try records.map { record -> Double in
                let loss = try XCTUnwrap(record.validationLoss), accuracy = try XCTUnwrap(record.validationAccuracy)
                let regularization = try XCTUnwrap(record.validationRegularization, "the hybrid's L2 term is logged")
                XCTAssertGreaterThan(regularization, 0)
                switch selection {
                case .loss: return loss
                case .dataLoss: return loss - regularization
                case .accuracy: return 1 - accuracy
                }
            }
            let expected = try XCTUnwrap(values.firstIndex(of: try XCTUnwrap(values.min()))) + 1
            XCTAssertEqual(outcome.bestEpoch, expected, "\(selection.rawValue): \(values)")
            XCTAssertEqual(try SafeTensors.readContents(from: fixture.run(selection.rawValue).weights).metadata["epoch"], "\(expected)")
            XCTAssertEqual(try TrainedRuns.open(fixture.run(selection.rawValue).url).configuration.cnn?.selection, selection)
            let report = try String(contentsOf: fixture.run(selection.rawValue).url.appendingPathComponent("report.md"), encoding: .utf8)
            XCTAssertTrue(report.contains("validation \(selection.rawValue)"), report)
        }
    }

    /// `--recompute-batch-norm`: the kept weights' running statistics of the stem's batch norm are
    /// the mean and unbiased variance of its input over the unaugmented training images (one batch
    /// holding them all, so the order cannot matter), computed here from the stem convolution; and
    /// the training itself is unchanged (training mode uses batch statistics).
    func testRecomputedBatchNormStatisticsAreThoseOfTheUnaugmentedTrainingImages() throws {
        let fixture = try CNNTestFixture(self)
        var options = try CNNTestFixture.options(epochs: 1)
        options.batchSize = 64
        try CNNTrainer.train(fixture.request(options, run: "plain"))
        options.batchNormRecomputationImages = 64
        try CNNTrainer.train(fixture.request(options, run: "recomputed"))
        let (plain, recomputed) = (fixture.run("plain"), fixture.run("recomputed"))
        XCTAssertEqual(try EpochLog(url: plain.epochLog).read().map(\.trainLoss), try EpochLog(url: recomputed.epochLog).read().map(\.trainLoss))
        XCTAssertEqual(try TrainedRuns.open(recomputed.url).configuration.cnn?.batchNormRecomputationImages, 64)

        let network = try CNNTestFixture.tinyDenseNet.makeNetwork(seed: 1)
        try loadWeights(into: network, from: recomputed.weights)
        let layers = Dictionary(uniqueKeysWithValues: network.namedLayers().map { ($0.name, $0.layer) })
        let conv = try XCTUnwrap(layers["features.conv0"] as? Conv2d), norm = try XCTUnwrap(layers["features.norm0"] as? BatchNorm2d)
        let files = try fixture.files(of: .train, in: recomputed)
        XCTAssertLessThanOrEqual(files.count, 64, "one batch holds every training image")
        let images = DecodedImageSet.load(files.map { LabeledImageFile(path: $0.url.lastPathComponent, url: $0.url, label: $0.label) },
                                          size: 32)
        let inputs = try ImageBatchLoader.inputTensor(of: images.images, epoch: 0, firstPosition: 0, augmentation: nil,
                                                      normalization: options.normalization, seed: 0) { images.paths[$0] }
        let stem = Tensor.withoutGradients { conv(inputs) }
        let channels = stem.shape[3], values = stem.scalars, n = values.count / channels
        var means: [Double] = [], variances: [Double] = []
        for channel in 0..<channels {
            let column = stride(from: channel, to: values.count, by: channels).map { Double(values[$0]) }
            let mean = column.reduce(0, +) / Double(n)
            means.append(mean)
            variances.append(column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1))
        }
        for channel in 0..<channels {
            XCTAssertEqual(Double(norm.statistics.mean.scalars[channel]), means[channel], accuracy: 1e-4 * max(1, abs(means[channel])),
                           "channel \(channel)")
            XCTAssertEqual(Double(norm.statistics.variance.scalars[channel]), variances[channel], accuracy: 1e-4 * max(1, variances[channel]),
                           "channel \(channel)")
        }
        // Without recomputation they are the training step's momentum average (0.9 · 1 + 0.1 · an augmented batch's).
        try loadWeights(into: network, from: plain.weights)
        let farthest = (0..<channels).map { abs(Double(norm.statistics.variance.scalars[$0]) - variances[$0]) / variances[$0] }.max()!
        XCTAssertGreaterThan(farthest, 0.05)
    }
}
