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

/// What `training-options.json` records for a cell-attention training: everything a resumed
/// session needs (`CellAttentionTrainer.resume`). Told apart from a CNN's session by its
/// `cell_attention` key.
struct CellAttentionTrainingSession: Codable {
    var options: CellAttentionOptions
    var dataDirectory: String
    var dataset: DatasetDescription
    var cost: CostMatrix
    var weightsCache: String
    var featureCache: String

    enum CodingKeys: String, CodingKey {
        case options = "cell_attention", dataDirectory = "data_directory", dataset, cost
        case weightsCache = "weights_cache", featureCache = "feature_cache"
    }

    /// Whether `training-options.json` of `run` is a cell-attention session (else a CNN's).
    static func isRecorded(in run: RunDirectory) -> Bool {
        struct Probe: Decodable {
            var options: CellAttentionOptions?
            enum CodingKeys: String, CodingKey { case options = "cell_attention" }
        }
        guard let data = try? Data(contentsOf: run.trainingSession),
              let probe = try? JSONDecoder().decode(Probe.self, from: data) else { return false }
        return probe.options != nil
    }
}

/// Trains a cell-attention model (`train --model cell-attention`): finds the cells of every image,
/// then trains the attention network on the bags with Adam, class weights and early stopping on
/// the validation loss (the best epoch's weights are kept), calibrates on the validation part and
/// scores the test part, like every run. With a frozen backbone the cells are embedded once
/// (cached on disk); with `top-blocks` every step embeds its bags' cells with the backbone, whose
/// top blocks train with the attention network (at `backboneLearningRate`).
///
/// After each epoch, in this order: `epochs.jsonl`, `weights.safetensors` (and, under top-blocks,
/// `backbone.safetensors`) when the epoch is the best so far, `checkpoint.safetensors`,
/// `curves.png`. A killed training continues from its checkpoint (`resume`, or the same `study`)
/// and ends exactly where the uninterrupted one would have: the bag order, the symmetries drawn
/// and the dropout masks of an epoch are drawn from the seed and the epoch number.
public enum CellAttentionTrainer {
    /// Trains into a new run directory and returns the test metrics, or nil when the session was
    /// stopped on purpose (`control.stopAfterEpoch`) before the end.
    /// - Throws: `CNNTrainingError` for an option out of range; `RunDirectoryError` for a taken
    ///   directory; what loading the data, the backbone or the detector throw.
    @discardableResult
    public static func train(_ request: CellAttentionTrainingRequest, control: CNNTrainingControl = .init()) throws -> ClassificationMetrics? {
        try request.options.validate()
        let run = RunDirectory(request.runDirectory)
        try run.checkFreeForNewRun()
        let (folder, cost) = try request.data.load()
        let manifest = try SplitManifest.makeOrReuse(folder: folder, configuration: request.split, reused: request.reusedSplit)
        try manifest.resolve(against: folder).requireEveryPart()
        // Fail on missing weights before anything is written.
        _ = try request.options.backboneWeights.file(for: request.options.backbone, cache: request.weightsCache)
        let session = CellAttentionTrainingSession(
            options: request.options, dataDirectory: request.data.directory.standardizedFileURL.path, dataset: folder.description,
            cost: cost, weightsCache: request.weightsCache.path, featureCache: request.featureCache.path)
        return try run.beginTraining(manifest: manifest, session: session) {
            try Session(session: session, folder: folder, directory: run, control: control).run()
        }
    }

    /// Continues the interrupted cell-attention training in `runDirectory` from its last checkpoint
    /// (its data now in `dataDirectory`, when given).
    /// - Throws: `CNNTrainingError.alreadyFinished` or `.nothingToResume` naming the directory.
    @discardableResult
    public static func resume(_ runDirectory: URL, dataDirectory: URL? = nil,
                              control: CNNTrainingControl = .init()) throws -> ClassificationMetrics? {
        let run = RunDirectory(runDirectory)
        if FileManager.default.fileExists(atPath: run.configuration.path) { throw CNNTrainingError.alreadyFinished(run.url.path) }
        guard CellAttentionTrainingSession.isRecorded(in: run) else { throw CNNTrainingError.nothingToResume(run.url.path) }
        var session: CellAttentionTrainingSession = try run.readJSON(run.trainingSession)
        if let dataDirectory { session.dataDirectory = dataDirectory.standardizedFileURL.path }
        let folder = try ImageFolder.scan(URL(fileURLWithPath: session.dataDirectory), conformingTo: session.dataset,
                                          allowingMissingClasses: false)
        return try Session(session: session, folder: folder, directory: run, control: control).run()
    }

    /// The layers a checkpoint holds: the attention network (`attention.*`) and, when its top
    /// blocks train, the backbone (`backbone.*`, batch-norm statistics included).
    private final class CheckpointedLayers: Layer {
        let attention: CellAttentionNetwork
        let backbone: (any ImageClassifierNetwork)?
        var isTraining = true

        init(attention: CellAttentionNetwork, backbone: (any ImageClassifierNetwork)?) {
            self.attention = attention
            self.backbone = backbone
        }

        var children: [NamedLayer] { [("attention", attention)] + (backbone.map { [("backbone", $0)] } ?? []) }

        func callAsFunction(_ x: Tensor) -> Tensor { attention(x) }
    }

    /// One session of a training (new or resumed), from the resolved split to the finished run.
    private struct Session {
        let session: CellAttentionTrainingSession
        let folder: ImageFolder
        let directory: RunDirectory
        let control: CNNTrainingControl

        var options: CellAttentionOptions { session.options }
        var log: (String) -> Void { control.log }

        /// The images of one part: their cells, crops and labels; with a frozen backbone also
        /// their embedded bags.
        struct Part {
            var found: [(cells: [DetectedCell], crops: [RGBImage])]
            var bags: [EmbeddedBag]
            var labels: [Int]
            var paths: [String]
            var skipped: [String: String]
        }

        /// The images of `part`: with `embedder`, their bags of `versions` symmetries (cached by
        /// content hash); without, their cells and crops only.
        func load(_ part: DatasetPart, parts: ManifestResolution, embedder: CellEmbedder?, versions: Int) throws -> Part {
            let assigned = parts.assigned.filter { $0.part == part }.map(\.image)
            let images = DecodedImageSet.load(folder.labeledFiles(assigned), size: options.imageSize, policy: .squash)
            let started = Date()
            var result = Part(found: [], bags: [], labels: images.labels, paths: images.paths, skipped: images.skipped)
            var computed = images.count
            if let embedder {
                let hashes = Dictionary(assigned.map { ($0.relativePath, $0.contentHash) }, uniquingKeysWith: { first, _ in first })
                (result.bags, computed) = try embedder.bags(of: images.images, contentHashes: images.paths.map { hashes[$0] ?? $0 },
                                                            versions: versions)
            } else {
                result.found = try images.images.map { try options.cells(in: $0) }
            }
            let cells = embedder == nil ? result.found.map(\.cells.count) : result.bags.map(\.cells.count)
            guard !cells.isEmpty else { throw CNNTrainingError.emptyPart(part.rawValue, split: directory.splitManifest.path) }
            log(String(format: "%@: %d images, %d cells (median %d per image, %d images without a cell: whole image), %@ in %.1f s",
                       part.rawValue, images.count, cells.reduce(0, +), cells.sorted()[cells.count / 2], cells.filter { $0 == 0 }.count,
                       embedder == nil ? "found" : "\(versions) symmetr\(versions == 1 ? "y" : "ies") each; \(computed) embedded",
                       Date().timeIntervalSince(started)) + (embedder == nil ? "" : ", \(images.count - computed) from the cache"))
            return result
        }

        func run() throws -> ClassificationMetrics? {
            let start = Date()
            PeakMemory.reset()
            let parts = try SplitManifest.load(from: directory.splitManifest).resolve(against: folder)
            let topBlocks = options.policy == .topBlocks
            let backbone = try CellEmbedder.backbone(of: options, weightsCache: URL(fileURLWithPath: session.weightsCache))
            var backboneParameters: [Parameter] = []
            if topBlocks {
                try TransferPolicy.topBlocks.apply(to: backbone)
                backboneParameters = backbone.namedParameters().filter { !backbone.isHeadKey($0.name) && !$0.parameter.isFrozen }.map(\.parameter)
            }
            // With a frozen backbone the bags are embedded once (and cached); under top-blocks
            // only the cells are found here, and each step embeds them.
            let frozenEmbedder = topBlocks ? nil : try CellEmbedder(options: options, backbone: backbone,
                                                                    featureCache: URL(fileURLWithPath: session.featureCache))
            let train = try load(.train, parts: parts, embedder: frozenEmbedder, versions: options.augmentedVersions)
            let validation = try load(.validation, parts: parts, embedder: frozenEmbedder, versions: 1)
            var preparationSeconds: Double? = Date().timeIntervalSince(start)

            var networkOptions = options.network
            networkOptions.embeddingSize = backbone.featureCount
            networkOptions.classCount = folder.classes.count
            let network = try CellAttentionNetwork(configuration: networkOptions, seed: options.seed)
            let optimizer = try Adam(parameterGroups: [(network.parameters(), options.learningRate),
                                                       (backboneParameters, options.backboneLearningRate)])
            let layers = CheckpointedLayers(attention: network, backbone: topBlocks ? backbone : nil)
            let classWeights = options.balancedClassWeights
                ? Tensor(try balancedClassWeights(labels: train.labels, classCount: folder.classes.count).map(Float.init)) : nil
            let epochLog = EpochLog(url: directory.epochLog)
            var (state, records) = try restore(layers, optimizer: optimizer, epochLog: epochLog)

            while !state.stopped && state.epoch < options.maximumEpochs {
                let epoch = state.epoch + 1
                let epochStart = Date()
                // The bag order, each bag's symmetry, the dropout masks and (top blocks) the backbone's
                // stochastic depth are drawn from the seed and the epoch.
                var generator = SeededGenerator(seed: options.seed).derived(UInt64(epoch))
                reseedRandomLayers(of: layers, seed: options.seed, epoch: epoch)
                var order = Array(train.labels.indices)
                order.seededShuffle(using: &generator)
                var (lossSum, correct) = (0.0, 0)
                for first in stride(from: 0, to: order.count, by: options.bagsPerStep) {
                    let step = Array(order[first..<min(first + options.bagsPerStep, order.count)])
                    let versions = step.map { _ in Int(generator.next() % UInt64(options.augmentedVersions)) }
                    let labels = step.map { train.labels[$0] }
                    optimizer.zeroGradients()
                    network.train()
                    let bags: [Tensor]
                    if topBlocks {
                        TransferPolicy.setTrainingMode(of: backbone)
                        bags = try embed(zip(step, versions).map { index, version in train.found[index].crops.map { $0.dihedral(version) } },
                                         with: backbone)
                    } else {
                        bags = zip(step, versions).map { index, version in
                            train.bags[index].tensor(version: version % train.bags[index].versions)
                        }
                    }
                    let logits = try network.logits(bags: bags).logits
                    let loss = softmaxCrossEntropy(logits: logits, labels: labels, classWeights: classWeights)
                    loss.backward()
                    try checkFinite(loss: loss.scalars[0], gradientsOf: layers, epoch: epoch, batch: first / options.bagsPerStep + 1)
                    optimizer.step()
                    lossSum += Double(loss.scalars[0]) * Double(step.count)
                    correct += zip(logits.argmax(alongAxis: 1), labels).filter { $0 == $1 }.count
                }
                let validationBags = topBlocks ? try CellEmbedder(options: options, backbone: backbone, featureCache: nil)
                    .embed(validation.found, versions: 1) : validation.bags
                let scores = try Self.scores(of: network, bags: validationBags, labels: validation.labels, classWeights: classWeights)
                let (isBest, shouldStop) = state.earlyStopping.record(validationLoss: scores.loss, epoch: epoch)
                state.epoch = epoch
                state.stopped = shouldStop
                state.validationLosses.append(Float(scores.loss))
                // Training time: every epoch, and each session's finding (and embedding) of the cells.
                state.seconds += Date().timeIntervalSince(epochStart) + (preparationSeconds ?? 0)
                preparationSeconds = nil
                state.peakMemoryMiB = max(state.peakMemoryMiB ?? 0, PeakMemory.residentMebibytes())
                records.append(EpochRecord(epoch: epoch, trainLoss: lossSum / Double(order.count),
                                           trainAccuracy: Double(correct) / Double(order.count),
                                           validationLoss: scores.loss, validationAccuracy: scores.accuracy,
                                           learningRate: Double(options.learningRate), isBest: isBest))
                try epochLog.write(records)
                if isBest {
                    try saveWeights(of: network, to: directory.weights, metadata: ["epoch": "\(epoch)"])
                    if topBlocks { try saveWeights(of: backbone, to: directory.cellBackbone, metadata: ["epoch": "\(epoch)"]) }
                }
                try TrainingCheckpoint.save(model: layers, optimizer: optimizer,
                                            metadata: [CNNTrainingState.metadataKey: String(decoding: try JSONEncoder().encode(state), as: UTF8.self)],
                                            to: directory.checkpoint)
                try TrainingCurves.write(records, to: directory.curves)
                log(String(format: "epoch %d/%d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  %.1f s%@%@", epoch,
                           options.maximumEpochs, records.last!.trainLoss, records.last!.trainAccuracy, scores.loss, scores.accuracy,
                           Date().timeIntervalSince(epochStart), isBest ? "  best" : "", shouldStop ? "  early stop" : ""))
                if let stop = control.stopAfterEpoch, epoch >= stop, !state.stopped, epoch < options.maximumEpochs {
                    log("stopped after epoch \(epoch); continue with --resume")
                    return nil
                }
            }
            let metrics = try finish(state: state, network: network, backbone: backbone, parts: parts,
                                     validation: validation, start: start)
            OutOfDistributionCheck.fitAfterTraining(runAt: directory.url, folder: folder, log: log)
            return metrics
        }

        /// Crops per backbone pass in a top-blocks step. A step's bags hold a varying number of
        /// cells; passes of a fixed size (the last one shorter) keep the batch sizes oneDNN sees,
        /// and so the primitives it creates and caches, to at most this many. One pass of all a
        /// step's crops gave a new size almost every step: on the ALL grouped split (19,227
        /// training cells, 2 Zen 4 cores) epochs of 170 s and a process growing past 9 GB by epoch
        /// 3, against 54–66 s and a steady 3.3 GB in passes of 32. The trained blocks' batch norms
        /// see each pass's statistics (ghost batch normalization).
        static let cropsPerPass = 32

        /// The bags `[cells, featureCount]` of images given as their (transformed) crops, from
        /// backbone passes of `cropsPerPass` crops in the mode the backbone is in, recording gradients.
        func embed(_ crops: [[RGBImage]], with backbone: any ImageClassifierNetwork) throws -> [Tensor] {
            let all = crops.flatMap { $0 }
            let normalization = try options.backboneOptions().normalization
            let passes = try stride(from: 0, to: all.count, by: Self.cropsPerPass).map { first in
                let inputs = try ImageBatchLoader.inputTensor(of: Array(all[first..<min(first + Self.cropsPerPass, all.count)]),
                                                              epoch: 0, firstPosition: first, augmentation: nil,
                                                              normalization: normalization, seed: options.seed) { "cell crop \($0)" }
                return backbone.features(inputs)
            }
            return Tensor(concatenating: passes, alongAxis: 0).split(sizes: crops.map(\.count), alongAxis: 0)
        }

        /// The state after the last checkpointed epoch (layers and optimizer restored, the log cut
        /// to that epoch), or a fresh state when there is no checkpoint.
        func restore(_ layers: CheckpointedLayers, optimizer: Adam, epochLog: EpochLog) throws -> (CNNTrainingState, [EpochRecord]) {
            guard let (state, records, _) = try CNNTrainingState.restore(from: directory, into: layers, optimizer: optimizer,
                                                                     epochLog: epochLog) else {
                return (CNNTrainingState(beforeTheFirstEpochWithPatience: options.earlyStoppingPatience), [])
            }
            log("resuming after epoch \(state.epoch) (kept epoch \(state.earlyStopping.bestEpoch))")
            return (state, records)
        }

        /// Reloads the best weights, calibrates on the validation part, scores the test part and
        /// completes the run directory (`config.json` last).
        private func finish(state: CNNTrainingState, network: CellAttentionNetwork,
                            backbone: any ImageClassifierNetwork, parts: ManifestResolution, validation: Part,
                            start: Date) throws -> ClassificationMetrics {
            _ = try loadWeights(into: network, from: directory.weights)
            let topBlocks = options.policy == .topBlocks
            if topBlocks { _ = try loadWeights(into: backbone, from: directory.cellBackbone) }
            // The run's own fine-tuned backbone embeds into no shared cache.
            let embedder = try CellEmbedder(options: options, backbone: backbone,
                                            featureCache: topBlocks ? nil : URL(fileURLWithPath: session.featureCache))
            let validationBags = topBlocks ? try embedder.embed(validation.found, versions: 1) : validation.bags
            let calibration = try RunCalibration(fittingProbabilities: try Self.probabilities(of: network, bags: validationBags),
                                                 labels: validation.labels)
            try calibration.save(in: directory)
            log("calibration: " + calibration.summaryLine)
            let test = try load(.test, parts: parts, embedder: embedder, versions: 1)
            let raw = try Self.probabilities(of: network, bags: test.bags)
            let scored = ScoredImages(classNames: folder.classes.names, paths: test.paths, labels: test.labels,
                                      probabilities: calibration.calibrated(raw))
            let metrics = try scored.metrics(cost: session.cost, positiveClass: folder.classes.positiveClass)
            let model = CellAttentionOptions.modelName
            let bestEpoch = state.earlyStopping.bestEpoch
            try EvaluationWriter.write(
                metrics: metrics, title: "\(model) — test part of \(URL(fileURLWithPath: session.dataDirectory).lastPathComponent)",
                details: [("model", model), ("backbone", options.backboneSummary),
                          ("cells", "\(options.cellSize) px squares at \(options.imageSize) px, embedded at \(options.embeddingInputSize) px"),
                          ("seed", "\(options.seed)"), ("best epoch", "\(bestEpoch) of \(state.epoch)"),
                          ("images scored", "\(test.labels.count)"), ("skipped", "\(test.skipped.count)"),
                          ("probabilities", "calibrated: " + calibration.summaryLine)],
                scored: scored, into: directory.url)
            let skipped = folder.unreadableFiles.merging(validation.skipped) { first, _ in first }.merging(test.skipped) { first, _ in first }
            var recorded = options
            recorded.network = network.configuration
            var configuration = RunConfiguration(
                formatVersion: RunConfiguration.currentFormatVersion, toolkitVersion: ToolkitVersion.current, model: model,
                seed: options.seed, dataDirectory: session.dataDirectory, split: try SplitManifest.load(from: directory.splitManifest).configuration,
                inputSize: options.imageSize, purpleRange: StudyProtocol.purpleRange, libraries: ToolkitVersion.libraries,
                hyperparameters: ["best_epoch": Double(bestEpoch), "epochs": Double(state.epoch),
                                  "best_validation_loss": state.earlyStopping.bestLoss],
                skippedImages: skipped, createdAt: ISO8601DateFormatter().string(from: start),
                trainingSeconds: state.seconds, peakMemoryMiB: max(state.peakMemoryMiB ?? 0, PeakMemory.residentMebibytes()),
                fileHashes: try directory.hashes(of: topBlocks ? [directory.weights, directory.cellBackbone] : [directory.weights]),
                dataset: folder.description, cost: session.cost)
            configuration.cellAttention = CellAttentionRecord(options: recorded, backboneKey: embedder.backboneKey)
            try directory.writeJSON(configuration, to: directory.configuration)
            log(String(format: "kept epoch %d of %d; test accuracy %.4f, total cost %.0f, %.1f s of training", bestEpoch, state.epoch,
                       metrics.accuracy, metrics.totalCost, state.seconds))
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
