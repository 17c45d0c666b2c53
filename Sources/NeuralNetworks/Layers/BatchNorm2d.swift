import Tensors

/// Batch normalization over the channels of NHWC activations, PyTorch's `nn.BatchNorm2d`:
/// parameters `weight` (1) and `bias` (0), buffers `running_mean` (0), `running_var` (1) and
/// `num_batches_tracked`.
///
/// In training mode it normalizes with the batch statistics and updates the running ones
/// (`running = (1 - momentum) · running + momentum · batch`, unbiased batch variance) and counts
/// the batch; in evaluation mode it normalizes with the running statistics.
public final class BatchNorm2d: Layer {
    /// Gamma, `[features]`.
    public let weight: Parameter
    /// Beta, `[features]`.
    public let bias: Parameter
    /// The running mean and variance, updated by every training-mode call.
    public let statistics: BatchNormStatistics
    /// The number of training-mode calls so far, a scalar (PyTorch's `num_batches_tracked`).
    public private(set) var numBatchesTracked = Tensor(0)
    public let epsilon: Float
    public var isTraining = true

    /// - Throws: `LayerError.invalidConfiguration` for a non-positive feature count or epsilon,
    ///   or a momentum outside [0, 1].
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) throws {
        let name = "BatchNorm2d(\(features))"
        try LayerError.check(features > 0, name, "the feature count must be positive")
        try LayerError.check(epsilon > 0, name, "epsilon \(epsilon) must be positive")
        try LayerError.check(momentum >= 0 && momentum <= 1, name, "momentum \(momentum) must be in [0, 1]")
        weight = Parameter(Tensor.ones([features]), name: "weight")
        bias = Parameter(Tensor.zeros([features]), name: "bias")
        statistics = BatchNormStatistics(channels: features, momentum: momentum)
        self.epsilon = epsilon
    }

    public var localParameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    public var localBuffers: [NamedBuffer] {
        [("running_mean", Buffer(statistics, \.mean)), ("running_var", Buffer(statistics, \.variance)),
         ("num_batches_tracked", Buffer(self, \.numBatchesTracked))]
    }

    /// `x [batch, height, width, features]` normalized per channel.
    public func callAsFunction(_ x: Tensor) -> Tensor { normalize(x, activation: nil) }

    /// `activation(self(x))`, with ReLU and ReLU6 computed in the normalization's own passes over
    /// memory (see `batchNorm(_:scale:shift:statistics:isTraining:epsilon:activation:)`).
    public func callAsFunction(_ x: Tensor, activation: Activation) -> Tensor { normalize(x, activation: activation) }

    /// `activation(self(x))` of `x`, the concatenation of `parts` along the channels, which is never
    /// copied out: read from the leading channels of `buffer` where they are stored there, else from
    /// the parts, in training with the batch statistics kept in `bufferStatistics` where given (see
    /// `batchNorm(concatenating:storedIn:bufferStatistics:scale:shift:statistics:isTraining:epsilon:activation:)`).
    public func callAsFunction(concatenating parts: [Tensor], storedIn buffer: Tensor? = nil,
                               bufferStatistics: ChannelBufferStatistics? = nil, activation: Activation) -> Tensor {
        countBatch()
        return batchNorm(concatenating: parts, storedIn: buffer, bufferStatistics: bufferStatistics,
                         scale: weight.value, shift: bias.value,
                         statistics: statistics, isTraining: isTraining, epsilon: epsilon, activation: activation)
    }

    /// Counts a training-mode call (`numBatchesTracked`); the layers that run this normalization
    /// inside a fused operation call it too (`Conv2d.callAsFunction(normalizing:with:activation:storedIn:bufferStatistics:)`).
    func countBatch() {
        if isTraining { numBatchesTracked = Tensor(numBatchesTracked.scalar + 1) }
    }

    private func normalize(_ x: Tensor, activation: Activation?) -> Tensor {
        countBatch()
        return batchNorm(x, scale: weight.value, shift: bias.value, statistics: statistics, isTraining: isTraining,
                         epsilon: epsilon, activation: activation)
    }
}
