import Tensors

extension Conv2d {
    /// `self(norm(concatenating: parts, storedIn: buffer, bufferStatistics: bufferStatistics, activation: activation))`,
    /// the pre-activation order of DenseNet's layers, as one operation (`batchNormConv2d`: under bf16
    /// in training the normalized activations are written only as the bf16 values this convolution
    /// reads). A grouped or dilated convolution takes the two layers one after the other.
    /// `parts [batch, height, width, c_p]`, the `c_p` adding up to `norm`'s features and this
    /// layer's input channels → `[batch, outHeight, outWidth, outChannels]`.
    public func callAsFunction(normalizing parts: [Tensor], with norm: BatchNorm2d, activation: Activation,
                               storedIn buffer: Tensor? = nil, bufferStatistics: ChannelBufferStatistics? = nil) -> Tensor {
        guard groups == 1, dilation == 1 else {
            return self(norm(concatenating: parts, storedIn: buffer, bufferStatistics: bufferStatistics, activation: activation))
        }
        norm.countBatch()
        return batchNormConv2d(concatenating: parts, storedIn: buffer, bufferStatistics: bufferStatistics,
                               scale: norm.weight.value, shift: norm.bias.value, statistics: norm.statistics,
                               isTraining: norm.isTraining, epsilon: norm.epsilon, activation: activation,
                               weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                               weightsVersion: weight.valueVersion)
    }
}
