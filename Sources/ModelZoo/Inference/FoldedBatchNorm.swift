import NeuralNetworks
import Tensors

/// An evaluation-mode batch norm as a per-channel `x · scale + shift`, with a fused
/// "normalize, ReLU and copy out of a wider channel buffer" pass for DenseNet's concatenated features.
struct FoldedBatchNorm {
    /// `γ / √(σ² + ε)` per channel.
    let scale: [Float]
    /// `β − μ · scale` per channel.
    let shift: [Float]

    init(_ norm: BatchNorm2d) {
        let gamma = norm.weight.value.scalars, beta = norm.bias.value.scalars
        let mean = norm.statistics.mean.scalars, variance = norm.statistics.variance.scalars
        let scale = gamma.indices.map { gamma[$0] / (variance[$0] + norm.epsilon).squareRoot() }
        self.scale = scale
        shift = gamma.indices.map { beta[$0] - mean[$0] * scale[$0] }
    }

    /// `max(0, x · scale + shift)` of the first `scale.count` channels of `buffer [batch, h, w, c ≥ channels]`,
    /// as a contiguous `[batch, h, w, scale.count]` tensor.
    func reluOfLeadingChannels(of buffer: Tensor) -> Tensor {
        let channels = scale.count, stride = buffer.shape[3]
        precondition(channels <= stride, "FoldedBatchNorm: \(channels) channels from a buffer of \(stride)")
        let pixels = buffer.scalarCount / stride
        return KernelProfile.measure("batch norm + ReLU of dense channel buffers (Swift)") {
            Tensor(shape: Array(buffer.shape.dropLast()) + [channels]) { output in
                buffer.withUnsafeBufferPointer { input in
                    scale.withUnsafeBufferPointer { scale in
                        shift.withUnsafeBufferPointer { shift in
                            let source = input.baseAddress!, destination = output.baseAddress!
                            let scale = scale.baseAddress!, shift = shift.baseAddress!
                            Parallel.forEachChunk(count: pixels, costPerItem: channels) { range in
                                for pixel in range {
                                    let row = source + pixel * stride, out = destination + pixel * channels
                                    for channel in 0..<channels {
                                        out[channel] = max(0, row[channel] * scale[channel] + shift[channel])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
