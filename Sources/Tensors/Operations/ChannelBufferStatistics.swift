/// The batch mean and variance of each channel of a dense block's channel buffer, computed once for
/// all the layers that normalize it.
///
/// In training, every DenseNet layer normalizes the leading channels of its block's buffer with the
/// batch statistics of those channels, and a channel's statistics are the same for every layer that
/// reads it: the values do not change once written. Computed per layer, each normalization reads its
/// whole input once more for them (one of the forward pass's three streams over the buffer); kept
/// here, each layer computes only the channels appended since the previous one. Each layer still
/// updates its own running statistics and differentiates through the batch statistics.
public final class ChannelBufferStatistics {
    /// The channel buffer, `[batch, height, width, channels]`, written in order of its channels.
    let buffer: Tensor
    /// The batch mean and biased variance of the first `knownChannels` channels.
    private let mean: Tensor, variance: Tensor
    /// Channels whose statistics are computed.
    private(set) var knownChannels = 0

    /// Statistics of `buffer` (NHWC), none computed yet. Its leading channels must not change after
    /// a normalization has read them (`DenseFeatureBuffer` only appends).
    public init(buffer: Tensor) {
        buffer.checkNHWC("ChannelBufferStatistics")
        self.buffer = buffer
        mean = Tensor(uninitializedShape: [buffer.shape[3]])
        variance = Tensor(uninitializedShape: [buffer.shape[3]])
    }

    /// The batch mean and biased variance (`[channels]` each) of the buffer's first `channels`
    /// channels, computing those of the channels not seen before.
    func leading(_ channels: Int) -> (mean: Tensor, variance: Tensor) {
        let width = buffer.shape[3], rows = buffer.scalarCount / width
        precondition(channels > 0 && channels <= width, "ChannelBufferStatistics: \(channels) of \(width) channels")
        if channels > knownChannels {
            // Statistics only: the epsilon and the clamp are not used.
            let kernel = BatchNormActivationKernel(rows: rows, channels: channels - knownChannels, epsilon: 1, upper: .infinity)
            withExtendedLifetime(buffer) {
                kernel.batchStatistics(input: .strided(buffer.kernelInput + knownChannels, rowStride: width),
                                       mean: mean.kernelOutput + knownChannels, variance: variance.kernelOutput + knownChannels)
            }
            knownChannels = channels
        }
        let leadingMean = Tensor(uninitializedShape: [channels]), leadingVariance = Tensor(uninitializedShape: [channels])
        leadingMean.kernelOutput.update(from: mean.kernelInput, count: channels)
        leadingVariance.kernelOutput.update(from: variance.kernelInput, count: channels)
        return (leadingMean, leadingVariance)
    }
}
