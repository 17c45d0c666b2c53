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
}
