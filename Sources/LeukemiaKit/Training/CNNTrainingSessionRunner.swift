import ClassicML
import Foundation
import ModelZoo
import NeuralNetworks
import Tensors
import Datasets
import Evaluation
import ToolkitSupport
import WeightFiles

/// One session of a CNN training (new or resumed): prepares data and network, restores the last
/// checkpoint if any, runs the remaining epochs, and when training ends scores the best weights
/// on the test part and completes the run directory.
///
/// After each epoch, in this order: `epochs.jsonl`, `weights.safetensors` (when the epoch is the
/// best so far), `checkpoint.safetensors`, `curves.png`, each written atomically. A kill between
/// two writes is harmless: a resumed run ignores log lines beyond the checkpoint's epoch, and it
/// recomputes the lost epoch identically, rewriting the same best weights.
struct CNNTrainingSessionRunner {
    let session: CNNTrainingSession
    let directory: RunDirectory
    let folder: ImageFolder
    let control: CNNTrainingControl

    private var options: CNNTrainingOptions { session.options }
    private var log: (String) -> Void { control.log }

    /// Trains (or continues) the session, every kernel in `options.precision`.
    func run() throws -> CNNTrainingOutcome {
        try ComputePrecision.$current.withValue(options.precision) { try trainInCurrentPrecision() }
    }

    private func trainInCurrentPrecision() throws -> CNNTrainingOutcome {
        let start = Date()
        PeakMemory.reset()
        let parts = try SplitManifest.load(from: directory.splitManifest).resolve(against: folder)
        let hashes = Dictionary(parts.assigned.map { ($0.image.relativePath, $0.image.contentHash) },
                                uniquingKeysWith: { first, _ in first })
        func decode(_ part: DatasetPart) -> DecodedImageSet {
            DecodedImageSet.load(folder.labeledFiles(parts.assigned.filter { $0.part == part }.map(\.image)),
                                 size: options.inputSize, policy: options.resize)
        }
        let train = decode(.train), validation = decode(.validation)
        let requiredParts = session.refit == nil ? [(DatasetPart.train, train), (.validation, validation)] : [(.train, train)]
        for (part, images) in requiredParts where images.count == 0 {
            throw CNNTrainingError.emptyPart(part.rawValue, split: directory.splitManifest.path)
        }
        let skipped = folder.unreadableFiles.merging(train.skipped) { first, _ in first }
            .merging(validation.skipped) { first, _ in first }
        for (path, reason) in skipped.sorted(by: { $0.key < $1.key }) { log("skipped unreadable image \(path): \(reason)") }
        log("data: train \(train.count), validation \(validation.count) images at \(options.inputSize)x\(options.inputSize)")

        let network = try options.blueprint.makeNetwork(seed: options.seed)
        let weightsFile = try options.weights.load(into: network.pretrainedBody, architecture: options.network.pretrainedArchitecture,
                                                   cache: URL(fileURLWithPath: session.weightsCache))
        log("network: \(options.network.name), weights \(weightsFile?.path ?? "random (from scratch)"), policy \(options.policy.rawValue)")
        let trainsOnImages = options.policy != .frozen || !network.trainsHeadAloneWhenBodyIsFrozen
        if network.hasUnreseedableRandomness, trainsOnImages {
            log("warning: DenseNet dropout (drop rate > 0) keeps its own generator; a resumed run may differ from an uninterrupted one")
        }
        let trainable = try options.policy.apply(to: network)
        let classWeights = options.balancedClassWeights
            ? Tensor(try balancedClassWeights(labels: train.labels, classCount: network.classCount).map(Float.init)) : nil

        let runner = try makeRunner(network: network, train: train, validation: validation, hashes: hashes)
        let optimizer = try Self.optimizer(of: network, trainable: trainable, options: options)
        if let rate = options.backboneLearningRate {
            log(String(format: "learning rates: backbone %.2e, the rest %.2e", rate, options.learningRate))
        }
        // Keras semantics: the rate drops once `plateauPatience` epochs in a row bring no improvement.
        let plateau = try ReduceOnPlateau(mode: .minimize, factor: options.plateauFactor,
                                          patience: max(0, options.plateauPatience - 1), threshold: 1e-4,
                                          thresholdMode: .absolute)
        let epochLog = EpochLog(url: directory.epochLog)
        var (state, records, savedAverage) = try restore(into: runner, optimizer: optimizer, plateau: plateau, epochLog: epochLog)
        // A refit averages only when its selection kept an average, from the same epoch.
        var average = try (session.refit.map { $0.averagedFromEpoch } ?? options.weightAveragingStart).map {
            try WeightAverage(firstEpoch: $0, restoring: savedAverage, afterEpoch: state.epoch, checkpoint: directory.checkpoint.path)
        }

        let refitRates = session.refit?.learningRates
        let cosine = try options.schedule.cosineSchedule(learningRate: options.learningRate, epochs: options.maximumEpochs)
        let epochCount = refitRates?.count ?? options.maximumEpochs
        while !state.stopped && state.epoch < epochCount {
            let epoch = state.epoch + 1
            if let refitRates {
                optimizer.learningRate = refitRates[epoch - 1]
            } else if let cosine {
                optimizer.apply(cosine, epoch: epoch - 1)
            }
            let rate = optimizer.learningRate
            let profile = control.profile ? EpochProfile.begin() : nil
            let epochStart = Date()
            let (trainScores, dataWait) = try runner.trainEpoch(epoch, optimizer: optimizer, classWeights: classWeights) { done, scores in
                control.progress?(EpochProgress(epoch: epoch, epochCount: options.maximumEpochs, imagesDone: done, imageCount: runner.trainCount,
                                                elapsed: Date().timeIntervalSince(epochStart), meanLoss: scores.meanLoss))
            }
            average?.add(runner.checkpointedLayer, afterEpoch: epoch)
            // A refit has no validation part: it follows its selection's rates, and keeps each epoch's weights.
            let scores = refitRates == nil ? try runner.validate() : nil
            var (isBest, shouldStop) = (true, false)
            if let scores {
                let selected = options.selection.value(of: scores)
                (isBest, shouldStop) = state.earlyStopping.record(validationLoss: selected, epoch: epoch)
                if options.schedule == .plateau { plateau.step(metric: Float(selected), optimizer: optimizer) }
                state.validationLosses.append(Float(selected))
            }
            state.epoch = epoch
            state.stopped = shouldStop
            state.seconds += Date().timeIntervalSince(epochStart)
            state.peakMemoryMiB = max(state.peakMemoryMiB ?? 0, PeakMemory.residentMebibytes())
            records.append(EpochRecord(epoch: epoch, trainLoss: trainScores.meanLoss, trainAccuracy: trainScores.accuracy,
                                       validationLoss: scores.map { $0.meanLoss + $0.regularization }, validationAccuracy: scores?.accuracy,
                                       learningRate: Double(rate), isBest: isBest,
                                       validationRegularization: scores.flatMap { $0.regularization == 0 ? nil : $0.regularization }))
            try epochLog.write(records)
            if isBest { try saveWeights(of: network, to: directory.weights, metadata: ["epoch": "\(epoch)"]) }
            try TrainingCheckpoint.save(model: runner.checkpointedLayer, optimizer: optimizer,
                                        metadata: [CNNTrainingState.metadataKey: String(decoding: JSONEncoder().encode(state), as: UTF8.self)],
                                        averagedModel: average?.mean, to: directory.checkpoint)
            try TrainingCurves.write(records, to: directory.curves)
            let seconds = Date().timeIntervalSince(epochStart)
            let validationText = scores.map { String(format: "  val_loss %.4f  val_acc %.4f", $0.meanLoss + $0.regularization, $0.accuracy) } ?? ""
            log(String(format: "epoch %d/%d  loss %.4f  acc %.4f%@  lr %.2e  %.1f s (%.0f img/s, %.1f s waiting for data)%@%@",
                       epoch, epochCount, trainScores.meanLoss, trainScores.accuracy, validationText,
                       Double(rate), seconds, Double(runner.trainCount) / max(seconds, 1e-9), dataWait,
                       isBest && refitRates == nil ? "  best" : "", shouldStop ? "  early stop" : ""))
            profile?.end(dataWait: dataWait).lines(title: "epoch \(epoch)").forEach(log)
            if let stop = control.stopAfterEpoch, epoch >= stop, !state.stopped, epoch < epochCount {
                log("stopped after epoch \(epoch); continue with --resume")
                return CNNTrainingOutcome(epochs: records, bestEpoch: keptEpoch(state),
                                          stoppedEarly: false, testMetrics: nil)
            }
        }

        let averaged = try average.flatMap { try scoreAndKeepIfPreferred($0, state: state, network: network, runner: runner) }
        let metrics = try finish(network: network, state: state, averaged: averaged, parts: parts, validation: validation,
                                 skipped: skipped, start: start)
        return CNNTrainingOutcome(epochs: records, bestEpoch: keptEpoch(state), stoppedEarly: state.stopped,
                                  testMetrics: metrics, averagedEpochs: averaged.flatMap { $0.kept ? $0.epochs : nil })
    }

    /// Adam over the `trainable` parameters: one group at `learningRate`, or with a
    /// `backboneLearningRate` two, the pretrained backbone's parameters (its head aside) at that rate
    /// and the others (the head; the hybrid's U-Net and dense head) at `learningRate`.
    static func optimizer(of network: any ImageClassifierNetwork, trainable: [Parameter], options: CNNTrainingOptions) throws -> Adam {
        guard let backboneRate = options.backboneLearningRate else {
            return try Adam(parameters: trainable, learningRate: options.learningRate)
        }
        let head = Set(network.head.parameters().map(ObjectIdentifier.init))
        let backbone = Set(network.pretrainedBody.parameters().map(ObjectIdentifier.init)).subtracting(head)
        return try Adam(parameterGroups: [(trainable.filter { !backbone.contains(ObjectIdentifier($0)) }, options.learningRate),
                                          (trainable.filter { backbone.contains(ObjectIdentifier($0)) }, backboneRate)])
    }

    /// What became of the weight average when training ended.
    struct AveragedWeights {
        /// The epochs averaged.
        var epochs: ClosedRange<Int>
        /// Its validation `selection` value; nil in a refit, which has no validation part.
        var validationValue: Double?
        /// Whether it replaced the best epoch's weights.
        var kept: Bool

        /// "epochs 7–12".
        var epochText: String { "epochs \(epochs.lowerBound)–\(epochs.upperBound)" }

        /// "the weight average of epochs 7–12".
        var name: String { "the weight average of \(epochText)" }

        /// What `config.json` records: the average's validation value, and the epochs of a kept
        /// average (which a refit of this run averages in turn).
        var hyperparameters: [String: Double] {
            var values: [String: Double] = [:]
            if let validationValue { values["weight_average_validation_loss"] = validationValue }
            if kept {
                values["averaged_from_epoch"] = Double(epochs.lowerBound)
                values["averaged_to_epoch"] = Double(epochs.upperBound)
            }
            return values
        }
    }

    /// Loads `average` into the network, recomputes its batch-norm statistics (with
    /// `--recompute-batch-norm`) and, in a selection run, scores it on the validation part: the
    /// average replaces the best epoch's `weights.safetensors` if its `selection` value is lower.
    /// A refit keeps it (its selection run did). Deterministic, so a run killed before
    /// `config.json` decides the same when resumed. Nil when no epoch was averaged, or a single
    /// one in a selection run (that epoch's weights, already scored).
    private func scoreAndKeepIfPreferred(_ average: WeightAverage, state: CNNTrainingState, network: any ImageClassifierNetwork,
                                         runner: any EpochRunner) throws -> AveragedWeights? {
        guard let epochs = average.epochs, epochs.count > 1 || session.refit != nil else { return nil }
        try runner.checkpointedLayer.loadStateDict(average.mean)
        try runner.recomputeBatchNormStatistics()
        var result = AveragedWeights(epochs: epochs, validationValue: nil, kept: true)
        if session.refit == nil {
            let scores = try runner.validate()
            let value = options.selection.value(of: scores)
            result.validationValue = value
            result.kept = value < state.earlyStopping.bestLoss
            log(String(format: "%@: validation %@ %.4f, accuracy %.4f, against epoch %d's %.4f: keeping %@", result.name,
                       options.selection.rawValue, options.selection.reported(value), scores.accuracy, state.earlyStopping.bestEpoch,
                       options.selection.reported(state.earlyStopping.bestLoss),
                       result.kept ? "the average" : "epoch \(state.earlyStopping.bestEpoch)"))
        } else {
            log("keeping \(result.name), as the selection run did")
        }
        if result.kept {
            try saveWeights(of: network, to: directory.weights,
                            metadata: ["epochs_averaged": "\(epochs.lowerBound)-\(epochs.upperBound)"])
        }
        return result
    }

    /// The epoch whose weights are kept: the lowest validation loss, or in a refit the last epoch.
    private func keptEpoch(_ state: CNNTrainingState) -> Int {
        session.refit == nil ? state.earlyStopping.bestEpoch : state.epoch
    }

    /// Head-only training on cached body features for the frozen policy (unless the network trains
    /// more than its head then, as the hybrid's U-Net does on images), else training of the network on images prepared in
    /// the background.
    private func makeRunner(network: any ImageClassifierNetwork, train: DecodedImageSet, validation: DecodedImageSet,
                            hashes: [String: String]) throws -> any EpochRunner {
        if options.policy == .frozen, network.trainsHeadAloneWhenBodyIsFrozen {
            let cache = FeatureCache(directory: URL(fileURLWithPath: session.featureCache))
            let cacheStart = Date()
            let trainFeatures = try cache.features(of: train, contentHashes: train.paths.map { hashes[$0] ?? $0 },
                                                   network: network, options: options,
                                                   augmentedCopies: options.cachedAugmentedCopies)
            let validationFeatures = try cache.features(of: validation, contentHashes: validation.paths.map { hashes[$0] ?? $0 },
                                                        network: network, options: options, augmentedCopies: 0)
            let computed = trainFeatures.computed + validationFeatures.computed
            log(String(format: "features: %d x %d training and %d validation vectors, %@ in %.1f s (%@)",
                       trainFeatures.features.versions, train.count, validation.count,
                       computed == 0 ? "all reused" : "\(computed) images computed, the others reused",
                       Date().timeIntervalSince(cacheStart), cache.directory.path))
            return HeadEpochRunner(head: network.head, train: trainFeatures.features, validation: validationFeatures.features,
                                   batchSize: options.batchSize, seed: options.seed)
        } else {
            func loader(_ images: DecodedImageSet, training: Bool) -> ImageBatchLoader {
                ImageBatchLoader(images: images, settings: .init(
                    batchSize: options.batchSize, normalization: options.normalization,
                    augmentation: training ? options.augmentation : nil, shuffle: training, seed: options.seed,
                    prefetchCount: options.prefetchCount))
            }
            var runner = NetworkEpochRunner(step: NetworkTrainingStep(network: network), trainLoader: loader(train, training: true),
                                            validationLoader: loader(validation, training: false), seed: options.seed)
            if options.batchNormRecomputationImages > 0 {
                let loader = ImageBatchLoader(images: train, settings: .init(
                    batchSize: options.batchSize, normalization: options.normalization, augmentation: nil, shuffle: true,
                    seed: options.seed, prefetchCount: 1))
                let wholeBatches = (options.batchNormRecomputationImages + options.batchSize - 1) / options.batchSize
                runner.batchNormRecomputation = (loader, min(wholeBatches, loader.batchCount))
            }
            return runner
        }
    }

    /// The state after the last checkpointed epoch (model, optimizer and plateau restored, the log
    /// cut to that epoch), or a fresh state when there is no checkpoint.
    private func restore(into runner: any EpochRunner, optimizer: any Optimizer, plateau: ReduceOnPlateau,
                         epochLog: EpochLog) throws -> (CNNTrainingState, [EpochRecord], StateDict?) {
        guard let (state, records, average) = try CNNTrainingState.restore(from: directory, into: runner.checkpointedLayer, optimizer: optimizer,
                                                                 epochLog: epochLog, validatesEveryEpoch: session.refit == nil) else {
            return (CNNTrainingState(beforeTheFirstEpochWithPatience: options.earlyStoppingPatience), [], nil)
        }
        // ReduceOnPlateau's counters are a function of the losses it has seen: replay them on a
        // stand-in optimizer that starts from the same rate.
        let standIn = try Adam(parameters: [], learningRate: options.learningRate)
        for loss in state.validationLosses { plateau.step(metric: loss, optimizer: standIn) }
        log("resuming after epoch \(state.epoch) (kept epoch \(keptEpoch(state)), learning rate \(optimizer.learningRate))")
        return (state, records, average)
    }

    /// Restores the best weights, scores them on the test part and writes metrics, report and,
    /// last, `config.json`.
    private func finish(network: any ImageClassifierNetwork, state: CNNTrainingState, averaged: AveragedWeights?,
                        parts: ManifestResolution, validation: DecodedImageSet, skipped: [String: String],
                        start: Date) throws -> ClassificationMetrics {
        _ = try directory.readRequired(directory.weights)
        try loadWeights(into: network, from: directory.weights)
        let inference = CNNInference(network: network, options: options)
        // Temperature scaling on the validation part (a refit borrows its selection's), before the test part is scored.
        let calibration = try session.refit.map { try RunCalibration.borrowed(by: $0) }
            ?? RunCalibration(fittingProbabilities: try inference.probabilities(of: validation.images), labels: validation.labels)
        try calibration?.save(in: directory)
        log("calibration: " + (calibration?.summaryLine ?? "none (the selection run has none)"))
        let test = DecodedImageSet.load(folder.labeledFiles(parts.assigned.filter { $0.part == .test }.map(\.image)),
                                        size: options.inputSize, policy: options.resize)
        let raw = try inference.probabilities(of: test.images)
        let probabilities = calibration?.calibrated(raw) ?? raw
        let scored = ScoredImages(classNames: folder.classes.names, paths: test.paths, labels: test.labels,
                                  probabilities: probabilities)
        let metrics = try scored.metrics(cost: session.cost, positiveClass: folder.classes.positiveClass)
        let model = options.network.architecture.rawValue
        let averageDetail = averaged.map { averaged in
            ("weight average", averaged.epochText
                + (averaged.validationValue.map {
                    String(format: ", validation %@ %.4f", options.selection.rawValue, options.selection.reported($0))
                } ?? "")
                + (averaged.kept ? ", kept" : ", not kept (the best epoch scored lower)"))
        }
        try EvaluationWriter.write(metrics: metrics, title: "\(model) — test part of \(URL(fileURLWithPath: session.dataDirectory).lastPathComponent)",
                                   details: [("model", model), ("policy", options.policy.rawValue), ("seed", "\(options.seed)"),
                                             session.refit.map { ("refit of", "\($0.selectionRun): \(state.epoch) epochs on train + validation") }
                                                ?? ("best epoch", "\(state.earlyStopping.bestEpoch) of \(state.epoch), selected on the validation \(options.selection.rawValue)")]
                                            + (averageDetail.map { [$0] } ?? []) + [
                                             ("learning rate", "\(options.learningRate), \(options.schedule.rawValue) schedule"),
                                             ("images scored", "\(test.count)"), ("skipped", "\(test.skipped.count)"),
                                             ("probabilities", calibration.map { "calibrated: " + $0.summaryLine } ?? "raw (uncalibrated)")],
                                   scored: scored, into: directory.url)
        let configuration = RunConfiguration(
            formatVersion: RunConfiguration.currentFormatVersion, toolkitVersion: ToolkitVersion.current, model: model,
            seed: options.seed, dataDirectory: session.dataDirectory, split: try SplitManifest.load(from: directory.splitManifest).configuration,
            inputSize: options.inputSize, purpleRange: StudyProtocol.purpleRange, libraries: ToolkitVersion.libraries,
            hyperparameters: (session.refit == nil
                ? ["best_epoch": Double(state.earlyStopping.bestEpoch), "epochs": Double(state.epoch),
                   "best_validation_loss": state.earlyStopping.bestLoss]
                : ["epochs": Double(state.epoch)]).merging(averaged?.hyperparameters ?? [:]) { first, _ in first },
            skippedImages: skipped.merging(test.skipped) { first, _ in first },
            createdAt: ISO8601DateFormatter().string(from: start), trainingSeconds: state.seconds,
            peakMemoryMiB: max(state.peakMemoryMiB ?? 0, PeakMemory.residentMebibytes()), cnn: options,
            fileHashes: try directory.hashes(of: [directory.weights]), dataset: session.datasetDescription, cost: session.cost,
            refit: session.refit)
        try directory.writeJSON(configuration, to: directory.configuration)
        let kept = averaged.flatMap { $0.kept ? $0.name : nil } ?? "epoch \(keptEpoch(state))"
        log(String(format: "kept %@ of %d; test accuracy %.4f, total cost %.0f", kept, state.epoch, metrics.accuracy, metrics.totalCost))
        OutOfDistributionCheck.fitAfterTraining(runAt: directory.url, folder: folder, log: log)
        return metrics
    }
}
