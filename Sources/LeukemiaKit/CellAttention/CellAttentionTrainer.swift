import ClassicML
import Foundation
import Datasets
import Evaluation
import Imaging
import ModelZoo
import NeuralNetworks
import Randomness
import Tensors
import ToolkitSupport

/// What to train: a cell-attention model on a data folder, into a new run directory.
public struct CellAttentionTrainingRequest: Sendable {
    public var options: CellAttentionOptions
    public var data: TrainingData
    public var runDirectory: URL
    public var split: SplitConfiguration
    /// A split manifest to reuse instead of making a new split.
    public var reusedSplit: URL?
    /// Where `imagenet` backbone weights are looked for.
    public var weightsCache: URL
    /// Where cell embeddings are kept between runs (`FeatureCache`'s folder; they go to `cells/`).
    public var featureCache: URL

    public init(options: CellAttentionOptions, data: TrainingData, runDirectory: URL, split: SplitConfiguration,
                reusedSplit: URL? = nil, weightsCache: URL = WeightStore.defaultFolder(),
                featureCache: URL = FeatureCache.defaultDirectory) {
        self.options = options
        self.data = data
        self.runDirectory = runDirectory
        self.split = split
        self.reusedSplit = reusedSplit
        self.weightsCache = weightsCache
        self.featureCache = featureCache
    }
}

/// Trains a cell-attention model (`train --model cell-attention`): finds and embeds the cells of
/// every image once (cached on disk), then trains the attention network on the bags with Adam,
/// class weights and early stopping on the validation loss (the best epoch's weights are kept),
/// calibrates on the validation part and scores the test part, like every run.
///
/// After each epoch `epochs.jsonl`, `weights.safetensors` (when best) and `curves.png` are written.
/// A killed training is trained again by the same command (`TrainingJob` with `continuing`): its
/// costly part, the cells' embeddings, is read back from the cache, and the head's epochs take
/// seconds.
public enum CellAttentionTrainer {
    /// Trains into a new run directory and returns the test metrics.
    /// - Throws: `CNNTrainingError` for an option out of range; `RunDirectoryError` for a taken
    ///   directory; what loading the data, the backbone or the detector throw.
    @discardableResult
    public static func train(_ request: CellAttentionTrainingRequest, log: @escaping (String) -> Void = { _ in }) throws -> ClassificationMetrics {
        let start = Date()
        PeakMemory.reset()
        var options = request.options
        try options.validate()
        let run = RunDirectory(request.runDirectory)
        try run.checkFreeForNewRun()
        let (folder, cost) = try request.data.load()
        let manifest = try SplitManifest.makeOrReuse(folder: folder, configuration: request.split, reused: request.reusedSplit)
        let parts = try manifest.resolve(against: folder)
        try parts.requireEveryPart()
        let embedder = try CellEmbedder(options: options, weightsCache: request.weightsCache, featureCache: request.featureCache)
        options.network.embeddingSize = embedder.featureCount
        options.network.classCount = folder.classes.count

        let createdFolder = try run.claimForNewRun()
        do {
            try manifest.save(to: run.splitManifest)
            let metrics = try Session(options: options, embedder: embedder, folder: folder, parts: parts, cost: cost,
                                      run: run, data: request.data, split: manifest.configuration, log: log).run(start: start)
            OutOfDistributionCheck.fitAfterTraining(runAt: run.url, folder: folder, log: log)
            return metrics
        } catch {
            run.releaseClaim(createdFolder: createdFolder)
            throw error
        }
    }

    /// One training, from the resolved split to the finished run directory.
    private struct Session {
        let options: CellAttentionOptions
        let embedder: CellEmbedder
        let folder: ImageFolder
        let parts: ManifestResolution
        let cost: CostMatrix
        let run: RunDirectory
        let data: TrainingData
        let split: SplitConfiguration
        let log: (String) -> Void

        /// The bags of one part, with their labels and paths.
        struct Part {
            var bags: [EmbeddedBag]
            var labels: [Int]
            var paths: [String]
            var skipped: [String: String]
        }

        func embedded(_ part: DatasetPart, versions: Int) throws -> Part {
            let assigned = parts.assigned.filter { $0.part == part }.map(\.image)
            let images = DecodedImageSet.load(folder.labeledFiles(assigned), size: options.imageSize, policy: .squash)
            let hashes = Dictionary(assigned.map { ($0.relativePath, $0.contentHash) }, uniquingKeysWith: { first, _ in first })
            let started = Date()
            let (bags, computed) = try embedder.bags(of: images.images, contentHashes: images.paths.map { hashes[$0] ?? $0 },
                                                     versions: versions)
            let cells = bags.map(\.cells.count)
            log(String(format: "%@: %d images, %d cells (median %d per image, %d images without a cell: whole image), "
                       + "%d symmetr%@ each; %d embedded in %.1f s, %d from the cache", part.rawValue, images.count,
                       cells.reduce(0, +), cells.sorted()[cells.count / 2], cells.filter { $0 == 0 }.count, versions,
                       versions == 1 ? "y" : "ies", computed, Date().timeIntervalSince(started), images.count - computed))
            return Part(bags: bags, labels: images.labels, paths: images.paths, skipped: images.skipped)
        }

        func run(start: Date) throws -> ClassificationMetrics {
            let train = try embedded(.train, versions: options.augmentedVersions)
            let validation = try embedded(.validation, versions: 1)
            for (part, set) in [("train", train), ("validation", validation)] where set.bags.isEmpty {
                throw CNNTrainingError.emptyPart(part, split: run.splitManifest.path)
            }
            let network = try CellAttentionNetwork(configuration: options.network, seed: options.seed)
            let optimizer = try Adam(parameters: network.parameters(), learningRate: options.learningRate)
            let classWeights = options.balancedClassWeights
                ? Tensor(try balancedClassWeights(labels: train.labels, classCount: folder.classes.count).map(Float.init)) : nil
            var earlyStopping = EarlyStopping(patience: options.earlyStoppingPatience)
            var records: [EpochRecord] = []
            let epochLog = EpochLog(url: run.epochLog)
            var trainingSeconds = 0.0
            for epoch in 1...options.maximumEpochs {
                let epochStart = Date()
                // The bag order and each bag's symmetry are drawn from the seed and the epoch.
                var generator = SeededGenerator(seed: options.seed).derived(UInt64(epoch))
                var order = Array(train.bags.indices)
                order.seededShuffle(using: &generator)
                network.train()
                var (lossSum, correct) = (0.0, 0)
                for first in stride(from: 0, to: order.count, by: options.bagsPerStep) {
                    let step = Array(order[first..<min(first + options.bagsPerStep, order.count)])
                    let bags = step.map { index in
                        let bag = train.bags[index]
                        return bag.tensor(version: Int(generator.next() % UInt64(bag.versions)))
                    }
                    let labels = step.map { train.labels[$0] }
                    optimizer.zeroGradients()
                    let logits = try network.logits(bags: bags).logits
                    let loss = softmaxCrossEntropy(logits: logits, labels: labels, classWeights: classWeights)
                    loss.backward()
                    optimizer.step()
                    lossSum += Double(loss.scalars[0]) * Double(step.count)
                    correct += zip(logits.argmax(alongAxis: 1), labels).filter { $0 == $1 }.count
                }
                let scores = try Self.scores(of: network, bags: validation.bags, labels: validation.labels, classWeights: classWeights)
                let (isBest, shouldStop) = earlyStopping.record(validationLoss: scores.loss, epoch: epoch)
                trainingSeconds += Date().timeIntervalSince(epochStart)
                records.append(EpochRecord(epoch: epoch, trainLoss: lossSum / Double(order.count),
                                           trainAccuracy: Double(correct) / Double(order.count),
                                           validationLoss: scores.loss, validationAccuracy: scores.accuracy,
                                           learningRate: Double(options.learningRate), isBest: isBest))
                try epochLog.write(records)
                if isBest { try saveWeights(of: network, to: run.weights, metadata: ["epoch": "\(epoch)"]) }
                try TrainingCurves.write(records, to: run.curves)
                log(String(format: "epoch %d/%d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  %.1f s%@%@", epoch,
                           options.maximumEpochs, records.last!.trainLoss, records.last!.trainAccuracy, scores.loss, scores.accuracy,
                           Date().timeIntervalSince(epochStart), isBest ? "  best" : "", shouldStop ? "  early stop" : ""))
                if shouldStop { break }
            }
            return try finish(records: records, bestEpoch: earlyStopping.bestEpoch, validation: validation, start: start)
        }

        /// Reloads the best weights, calibrates on the validation part, scores the test part and
        /// completes the run directory (`config.json` last).
        private func finish(records: [EpochRecord], bestEpoch: Int, validation: Part, start: Date) throws -> ClassificationMetrics {
            let network = try CellAttentionNetwork(configuration: options.network, seed: options.seed)
            _ = try loadWeights(into: network, from: run.weights)
            network.eval()
            let calibration = try RunCalibration(fittingProbabilities: try Self.probabilities(of: network, bags: validation.bags),
                                                 labels: validation.labels)
            try calibration.save(in: run)
            log("calibration: " + calibration.summaryLine)
            let test = try embedded(.test, versions: 1)
            let raw = try Self.probabilities(of: network, bags: test.bags)
            let scored = ScoredImages(classNames: folder.classes.names, paths: test.paths, labels: test.labels,
                                      probabilities: calibration.calibrated(raw))
            let metrics = try scored.metrics(cost: cost, positiveClass: folder.classes.positiveClass)
            let model = CellAttentionOptions.modelName
            try EvaluationWriter.write(
                metrics: metrics, title: "\(model) — test part of \(data.directory.lastPathComponent)",
                details: [("model", model), ("backbone", "\(options.backbone.rawValue) (\(options.backboneWeights), frozen)"),
                          ("cells", "\(options.cellSize) px squares at \(options.imageSize) px, embedded at \(options.embeddingInputSize) px"),
                          ("seed", "\(options.seed)"), ("best epoch", "\(bestEpoch) of \(records.count)"),
                          ("images scored", "\(test.labels.count)"), ("skipped", "\(test.skipped.count)"),
                          ("probabilities", "calibrated: " + calibration.summaryLine)],
                scored: scored, into: run.url)
            let skipped = folder.unreadableFiles.merging(validation.skipped) { first, _ in first }.merging(test.skipped) { first, _ in first }
            var configuration = RunConfiguration(
                formatVersion: RunConfiguration.currentFormatVersion, toolkitVersion: ToolkitVersion.current, model: model,
                seed: options.seed, dataDirectory: data.directory.standardizedFileURL.path, split: split,
                inputSize: options.imageSize, purpleRange: StudyProtocol.purpleRange, libraries: ToolkitVersion.libraries,
                hyperparameters: ["best_epoch": Double(bestEpoch), "epochs": Double(records.count),
                                  "best_validation_loss": records[bestEpoch - 1].validationLoss ?? .nan],
                skippedImages: skipped, createdAt: ISO8601DateFormatter().string(from: start),
                trainingSeconds: Date().timeIntervalSince(start), peakMemoryMiB: PeakMemory.residentMebibytes(),
                fileHashes: try run.hashes(of: [run.weights]), dataset: folder.description, cost: cost)
            configuration.cellAttention = CellAttentionRecord(options: options, backboneKey: embedder.backboneKey)
            try run.writeJSON(configuration, to: run.configuration)
            log(String(format: "kept epoch %d of %d; test accuracy %.4f, total cost %.0f, %.1f s in all", bestEpoch, records.count,
                       metrics.accuracy, metrics.totalCost, configuration.trainingSeconds))
            return metrics
        }

        /// The mean (class-weighted) loss and the accuracy of `network` in evaluation mode.
        static func scores(of network: CellAttentionNetwork, bags: [EmbeddedBag], labels: [Int],
                           classWeights: Tensor?) throws -> (loss: Double, accuracy: Double) {
            network.eval()
            var (lossSum, weightSum, correct) = (0.0, 0.0, 0)
            let weights = classWeights?.scalars
            try Tensor.withoutGradients {
                for first in stride(from: 0, to: bags.count, by: 64) {
                    let range = first..<min(first + 64, bags.count)
                    let logits = try network.logits(bags: range.map { bags[$0].tensor(version: 0) }).logits
                    let batchLabels = Array(labels[range])
                    let batchWeight = batchLabels.reduce(0.0) { $0 + Double(weights?[$1] ?? 1) }
                    lossSum += Double(softmaxCrossEntropy(logits: logits, labels: batchLabels, classWeights: classWeights).scalars[0]) * batchWeight
                    weightSum += batchWeight
                    correct += zip(logits.argmax(alongAxis: 1), batchLabels).filter { $0 == $1 }.count
                }
            }
            return (lossSum / weightSum, Double(correct) / Double(bags.count))
        }

        /// Softmax probabilities `[bag][class]` of `network` in evaluation mode.
        static func probabilities(of network: CellAttentionNetwork, bags: [EmbeddedBag]) throws -> [[Double]] {
            try CellAttentionPrediction.outputs(of: network, bags: bags).map(\.probabilities)
        }
    }
}
