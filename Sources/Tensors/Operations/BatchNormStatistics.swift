/// The running mean and variance of a batch normalization layer, updated PyTorch-style by every
/// training step: `running = (1 - momentum) * running + momentum * batch`, with the unbiased batch
/// variance.
public final class BatchNormStatistics {
    /// Running mean, `[channels]`; starts at 0.
    public var mean: Tensor
    /// Running variance, `[channels]`; starts at 1.
    public var variance: Tensor
    /// Weight of the newest batch in the running averages.
    public var momentum: Float

    public init(channels: Int, momentum: Float = 0.1) {
        mean = Tensor(shape: [channels], repeating: 0)
        variance = Tensor(shape: [channels], repeating: 1)
        self.momentum = momentum
    }

    /// PyTorch's running-statistics update: `running = (1 - momentum) * running + momentum * batch`,
    /// with the unbiased batch variance (`batchVariance * n / (n - 1)`, n = `sampleCount`, the
    /// values per channel).
    /// - Parameters:
    ///   - batchMean: the batch mean, `[channels]`.
    ///   - batchVariance: the biased batch variance, `[channels]`.
    func update(batchMean: Tensor, batchVariance: Tensor, sampleCount: Int) {
        mean.withUnsafeMutableBufferPointer { runningMean in
            variance.withUnsafeMutableBufferPointer { runningVariance in
                // Both hold `channels` > 0 floats, so the base addresses exist.
                guard let runningMean = runningMean.baseAddress, let runningVariance = runningVariance.baseAddress else { return }
                Self.blend(runningMean: runningMean, runningVariance: runningVariance, batchMean: batchMean.kernelInput,
                           batchVariance: batchVariance.kernelInput, channels: batchMean.scalarCount,
                           sampleCount: sampleCount, momentum: momentum)
            }
        }
    }

    /// The update rule of `update(batchMean:batchVariance:sampleCount:)` on raw `[channels]` buffers.
    static func blend(runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
                      batchMean: UnsafePointer<Float>, batchVariance: UnsafePointer<Float>, channels: Int,
                      sampleCount: Int, momentum: Float) {
        let n = Float(sampleCount)
        let unbiasing = n > 1 ? n / (n - 1) : 1
        for channel in 0..<channels {
            runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * batchMean[channel]
            runningVariance[channel] = (1 - momentum) * runningVariance[channel] + momentum * batchVariance[channel] * unbiasing
        }
    }
}
