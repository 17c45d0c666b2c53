import Tensors

/// The channel buffer of one dense block: `[batch, h, w, inputChannels + layers · growth]`, holding
/// the block input and each dense layer's new channels at increasing offsets, so that no layer
/// concatenates the earlier outputs again (torchvision's block copies O(layers²) channels). Inference
/// reads each layer's input from it; in training each layer's batch norm reads its leading channels
/// (`BatchNorm2d.callAsFunction(concatenating:storedIn:bufferStatistics:activation:)`) and keeps it for its backward
/// pass, so appending writes in place even where that storage is shared (`overwriteChannels`): a
/// layer reads only channels written before it ran.
struct DenseFeatureBuffer {
    let features: Tensor
    /// Channels written so far.
    private(set) var filledChannels = 0

    /// A buffer of `channels` channels starting with `input`'s channels (the rest uninitialized until
    /// written: every reader reads only channels appended before it).
    init(input: Tensor, channels: Int) {
        features = Tensor.channelBuffer(shape: Array(input.shape.dropLast()) + [channels])
        append(input)
    }

    /// Writes `newFeatures [batch, h, w, k]` into the next `k` channels.
    mutating func append(_ newFeatures: Tensor) {
        features.overwriteChannels(at: filledChannels, with: newFeatures)
        filledChannels += newFeatures.shape[3]
    }
}
