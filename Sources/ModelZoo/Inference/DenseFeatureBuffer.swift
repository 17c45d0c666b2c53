import Tensors

/// The channel buffer of one dense block: `[batch, h, w, inputChannels + layers · growth]`, holding
/// the block input and each dense layer's new channels at increasing offsets, so that no layer
/// concatenates the earlier outputs again (torchvision's block copies O(layers²) channels).
struct DenseFeatureBuffer {
    private(set) var features: Tensor
    /// Channels written so far.
    private(set) var filledChannels = 0

    /// A buffer of `channels` channels starting with `input`'s channels (the rest zero until written).
    init(input: Tensor, channels: Int) {
        features = KernelProfile.measure("dense channel buffer writes (Swift)") { Tensor.zeros(Array(input.shape.dropLast()) + [channels]) }
        append(input)
    }

    /// Writes `newFeatures [batch, h, w, k]` into the next `k` channels.
    mutating func append(_ newFeatures: Tensor) {
        let width = features.shape[3], added = newFeatures.shape[3], offset = filledChannels
        precondition(offset + added <= width, "DenseFeatureBuffer: \(offset) + \(added) channels exceed \(width)")
        let pixels = newFeatures.scalarCount / added
        KernelProfile.measure("dense channel buffer writes (Swift)") {
        newFeatures.withUnsafeBufferPointer { source in
            features.withUnsafeMutableBufferPointer { destination in
                let from = source.baseAddress!, to = destination.baseAddress!
                PixelChunks.forEach(pixels) { range in
                    for pixel in range {
                        (to + pixel * width + offset).update(from: from + pixel * added, count: added)
                    }
                }
            }
        }
        }
        filledChannels += added
    }
}
