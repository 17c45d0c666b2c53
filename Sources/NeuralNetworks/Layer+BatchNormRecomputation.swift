import Tensors

extension Layer {
    /// Recomputes the running mean and variance of `norms` (batch normalizations of this tree)
    /// from `batchCount` forward passes made by `forward(batch)`, with every other layer in
    /// evaluation mode: no dropout, no stochastic depth.
    ///
    /// Each running statistic becomes the plain average of the passes' batch statistics (the
    /// variance unbiased), which is PyTorch's `momentum=None` and `torch.optim.swa_utils.update_bn`,
    /// except that dropout is off: statistics gathered behind an active dropout describe
    /// activations that evaluation never sees (the variance shift of Li et al., "Understanding the
    /// disharmony between dropout and batch normalization", CVPR 2019), which the hybrid's dense
    /// head (dropout 0.7 between its batch normalizations) suffers from.
    ///
    /// `forward` should run under `Tensor.withoutGradients`. Every momentum is restored afterwards
    /// and the whole tree is left in evaluation mode, even when `forward` throws (the statistics
    /// are then those of the passes made).
    /// - Parameters:
    ///   - norms: the layers whose statistics to recompute (usually those that train, see
    ///     `trainingBatchNorms(whenTraining:)`); others keep theirs.
    ///   - batchCount: passes to average, at least 1.
    ///   - forward: runs the tree on batch `0..<batchCount`.
    public func recomputeBatchNormStatistics(_ norms: [BatchNorm2d], batchCount: Int,
                                             forward: (Int) throws -> Void) rethrows {
        let momenta = norms.map(\.statistics.momentum)
        eval()
        defer {
            for (norm, momentum) in zip(norms, momenta) { norm.statistics.momentum = momentum }
            eval()
        }
        for norm in norms { norm.isTraining = true }
        for batch in 0..<batchCount {
            // The k-th pass (k = batch + 1) weighs 1/k: the running value stays the mean of the passes so far.
            for norm in norms { norm.statistics.momentum = 1 / Float(batch + 1) }
            try forward(batch)
        }
    }

    /// The batch normalizations of this tree that `enterTrainingMode` puts in training mode (all of
    /// them under `train()`; a transfer policy may keep a frozen backbone's in evaluation mode),
    /// in tree order. Leaves the tree in the mode `enterTrainingMode` set.
    public func trainingBatchNorms(whenTraining enterTrainingMode: () -> Void) -> [BatchNorm2d] {
        enterTrainingMode()
        return namedLayers().compactMap { $0.layer as? BatchNorm2d }.filter(\.isTraining)
    }
}
