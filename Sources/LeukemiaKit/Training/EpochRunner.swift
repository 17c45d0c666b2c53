import Foundation
import ModelZoo
import NeuralNetworks
import Randomness
import Tensors

/// The running loss and accuracy of one pass over a part.
struct PassScores {
    private(set) var lossSum = 0.0
    private(set) var correct = 0
    private(set) var count = 0
    /// The network's regularization term (the hybrid's L2) that a validation loss as Keras reports
    /// it adds to `meanLoss`; 0 for networks without one.
    var regularization = 0.0

    mutating func add(meanLoss: Float, logits: Tensor, labels: [Int]) {
        lossSum += Double(meanLoss) * Double(labels.count)
        correct += zip(logits.argmax(alongAxis: 1), labels).filter { $0 == $1 }.count
        count += labels.count
    }

    var meanLoss: Double { count > 0 ? lossSum / Double(count) : .nan }
    var accuracy: Double { count > 0 ? Double(correct) / Double(count) : .nan }
}

/// Progress within an epoch: images done of the part's total.
public struct EpochProgress: Sendable {
    public var epoch: Int
    /// The most epochs the training may run.
    public var epochCount: Int
    public var imagesDone: Int
    public var imageCount: Int
    /// Seconds since the epoch began.
    public var elapsed: Double
    /// The mean training loss so far.
    public var meanLoss: Double
}

/// One way of training for an epoch and scoring the validation part: the whole (partly frozen)
/// network on images, or only the head on cached backbone features.
protocol EpochRunner {
    /// What the checkpoint saves with the optimizer state (the network, or only its head).
    var checkpointedLayer: any Layer { get }
    /// The number of training images per epoch.
    var trainCount: Int { get }
    /// Trains one epoch (`epoch` is 1-based) and returns its scores and the seconds spent waiting for data.
    func trainEpoch(_ epoch: Int, optimizer: any Optimizer, classWeights: Tensor?,
                    progress: (Int, PassScores) -> Void) throws -> (scores: PassScores, dataWait: Double)
    /// The unweighted loss and accuracy on the validation part, in evaluation mode.
    func validate() throws -> PassScores
    /// Recomputes the batch normalizations' running statistics for the current weights where the
    /// training does so after each epoch (`--recompute-batch-norm`); otherwise does nothing.
    func recomputeBatchNormStatistics() throws
}

extension EpochRunner {
    func recomputeBatchNormStatistics() throws {}
}

/// One optimizer step on a batch; returns the batch's loss: the (weighted) mean cross-entropy plus
/// the network's regularization penalty, if any.
func trainingStep(logits: Tensor, labels: [Int], optimizer: any Optimizer, classWeights: Tensor?,
                  penalty: () -> Tensor? = { nil }) -> Float {
    optimizer.zeroGradients()
    var loss = softmaxCrossEntropy(logits: logits, labels: labels, classWeights: classWeights)
    if let penalty = penalty() { loss = loss + penalty }
    loss.backward()
    KernelProfile.measure("optimizer step (\(type(of: optimizer)))") { optimizer.step() }
    return loss.scalar
}

/// Throws unless the batch `batch` of epoch `epoch` left a finite `loss` and finite gradients on
/// every parameter of `layer` (the first non-finite one, in `namedParameters()` order, is named).
/// - Throws: `CNNTrainingError.nonFinite`.
func checkFinite(loss: Float, gradientsOf layer: any Layer, epoch: Int, batch: Int) throws {
    let parameter = layer.namedParameters().first { _, parameter in
        guard let gradient = parameter.gradient else { return false }
        return gradient.withUnsafeBufferPointer { values in values.contains { !$0.isFinite } }
    }?.name
    guard loss.isFinite, parameter == nil else {
        throw CNNTrainingError.nonFinite(epoch: epoch, batch: batch, loss: loss, parameter: parameter)
    }
}

/// Trains the network on prepared image batches (augmentation and normalization run on a
/// background thread, `prefetchCount` batches ahead), one `NetworkTrainingStep` per batch. The
/// step's regularization penalty (the hybrid's L2 term) is added to the validation loss too.
struct NetworkEpochRunner: EpochRunner {
    let step: NetworkTrainingStep
    let trainLoader: ImageBatchLoader
    let validationLoader: ImageBatchLoader
    let seed: UInt64
    /// The training images, unaugmented and in a seeded order, whose first `batchCount` batches
    /// recompute the batch normalizations' statistics at the end of each epoch
    /// (`--recompute-batch-norm`), or nil.
    var batchNormRecomputation: (loader: ImageBatchLoader, batchCount: Int)? = nil

    var network: any ImageClassifierNetwork { step.network }
    var checkpointedLayer: any Layer { network }
    var trainCount: Int { trainLoader.images.count }

    func trainEpoch(_ epoch: Int, optimizer: any Optimizer, classWeights: Tensor?,
                    progress: (Int, PassScores) -> Void) throws -> (scores: PassScores, dataWait: Double) {
        reseedRandomLayers(of: network, seed: seed, epoch: epoch)
        step.enterTrainingMode()
        var scores = PassScores()
        var dataWait = 0.0, batchNumber = 0
        let batches = trainLoader.batches(epoch: epoch)
        while true {
            let waitStart = Date()
            guard let result = batches.next() else { break }
            dataWait += Date().timeIntervalSince(waitStart)
            let batch = try result.get()
            let (loss, logits) = step(batch.inputs, labels: batch.labels, optimizer: optimizer, classWeights: classWeights)
            batchNumber += 1
            try checkFinite(loss: loss, gradientsOf: network, epoch: epoch, batch: batchNumber)
            scores.add(meanLoss: loss, logits: logits, labels: batch.labels)
            progress(scores.count, scores)
        }
        try recomputeBatchNormStatistics()
        return (scores, dataWait)
    }

    /// Replaces the running statistics of the batch normalizations that train by their mean over
    /// `batchNormRecomputation`'s unaugmented training batches, dropout off (see
    /// `Layer.recomputeBatchNormStatistics`), so that the validation and the kept weights use
    /// statistics of the epoch's final weights. Leaves the network in evaluation mode.
    func recomputeBatchNormStatistics() throws {
        guard let (loader, batchCount) = batchNormRecomputation else { return }
        let norms = network.trainingBatchNorms(whenTraining: step.enterTrainingMode)
        let order = loader.order(epoch: 0)
        try KernelProfile.measure("batch-norm statistics recomputed") {
            try network.recomputeBatchNormStatistics(norms, batchCount: batchCount) { batch in
                let inputs = try loader.makeBatch(epoch: 0, batch: batch, order: order).inputs
                Tensor.withoutGradients { _ = network(inputs) }
            }
        }
    }

    /// Scores the validation part with the network's inference network where the zoo has one (a
    /// snapshot of this epoch's weights with batch norms folded and activations fused, as
    /// `evaluate` and `predict` run it; within 1e-4 of the evaluation-mode graph's logits), else
    /// the network in evaluation mode (the hybrid). EfficientNet-Lite0's first epoch on ALL (1,707
    /// training, 533 validation images, 2 Zen 4 cores): 102.4 s before, 100.5 s after, the same
    /// validation loss to four decimals (`train --profile`).
    func validate() throws -> PassScores {
        network.eval()
        let penaltyValue = Tensor.withoutGradients { step.network.regularizationPenalty()?.scalar ?? 0 }
        let inference = network.inferenceNetworkIfOptimizable()
        var scores = PassScores()
        for result in validationLoader.batches(epoch: 0) {
            let batch = try result.get()
            let (logits, loss) = Tensor.withoutGradients {
                let logits = inference?(batch.inputs) ?? network(batch.inputs)
                return (logits, softmaxCrossEntropy(logits: logits, labels: batch.labels))
            }
            scores.add(meanLoss: loss.scalar, logits: logits, labels: batch.labels)
        }
        scores.regularization = Double(penaltyValue)
        return scores
    }

    /// Gives every dropout and stochastic-depth layer a generator determined by the seed, the
    /// epoch and the layer's position, so that a resumed epoch draws the same masks.
}

/// Gives every dropout and stochastic-depth layer of `layer` a generator drawn from `seed`, the
/// epoch and the layer's position, so that an epoch's random masks do not depend on the epochs
/// before it and a resumed training draws what the uninterrupted one drew.
func reseedRandomLayers(of layer: any Layer, seed: UInt64, epoch: Int) {
    let base = SeededGenerator(seed: seed).derived(UInt64(epoch))
    for (index, (_, layer)) in layer.namedLayers().enumerated() {
        if let dropout = layer as? Dropout {
            dropout.generator = base.derived(UInt64(index))
        } else if let stochasticDepth = layer as? StochasticDepth {
            stochasticDepth.generator = base.derived(UInt64(index))
        }
    }
}

/// Trains only the head on cached backbone features: each epoch visits every training image
/// once, in a seeded order, drawing one of its cached versions.
struct HeadEpochRunner: EpochRunner {
    let head: Linear
    let train: CachedFeatures
    let validation: CachedFeatures
    let batchSize: Int
    let seed: UInt64

    var checkpointedLayer: any Layer { head }
    var trainCount: Int { train.count }

    func trainEpoch(_ epoch: Int, optimizer: any Optimizer, classWeights: Tensor?,
                    progress: (Int, PassScores) -> Void) throws -> (scores: PassScores, dataWait: Double) {
        head.train()
        var generator = SeededGenerator(seed: seed).derived(UInt64(epoch))
        var order = Array(0..<train.count)
        order.shuffle(using: &generator)
        let rows = order.map { index in
            Int(generator.next() % UInt64(train.versions)) * train.count + index
        }
        var scores = PassScores()
        for start in stride(from: 0, to: rows.count, by: batchSize) {
            let batchRows = Array(rows[start..<min(start + batchSize, rows.count)])
            let labels = batchRows.map { train.labels[$0 % train.count] }
            let logits = head(train.batch(rows: batchRows))
            let loss = trainingStep(logits: logits, labels: labels, optimizer: optimizer, classWeights: classWeights)
            try checkFinite(loss: loss, gradientsOf: head, epoch: epoch, batch: start / batchSize + 1)
            scores.add(meanLoss: loss, logits: logits.detached(), labels: labels)
            progress(scores.count, scores)
        }
        return (scores, 0)
    }

    func validate() throws -> PassScores {
        head.eval()
        var scores = PassScores()
        for start in stride(from: 0, to: validation.count, by: batchSize) {
            let rows = Array(start..<min(start + batchSize, validation.count))
            let labels = rows.map { validation.labels[$0] }
            let (logits, loss) = Tensor.withoutGradients {
                let logits = head(validation.batch(rows: rows))
                return (logits, softmaxCrossEntropy(logits: logits, labels: labels))
            }
            scores.add(meanLoss: loss.scalar, logits: logits, labels: labels)
        }
        return scores
    }
}
