/// `conv2d(batchNorm(concatenating: parts, ..., activation: activation), weight: weight, ...)`: the
/// batch norm + ReLU (or ReLU6) of a pre-activation network and the convolution that reads it, as
/// DenseNet's `norm1 → relu1 → conv1`, `norm2 → relu2 → conv2` and its transitions' `norm → relu → conv`.
///
/// In FP32, and when nothing is recorded, it is those two operations. Under `ComputePrecision.bf16`,
/// recorded, it is one: the normalization writes its activations as bf16 (rounded to nearest even,
/// as the conversion before a bf16 convolution rounds them, so the convolution reads the same
/// values), which the convolution reads and its backward-weights pass keeps. The separate
/// operations write the activations as FP32, read them back to convert them, and write the bf16
/// copy (10 bytes a value against 2); in DenseNet-201's training step at batch 16 that is 355 M
/// values. The backward pass is the convolution's, then the normalization's from the input
/// gradient it made, as the two operations do it.
///
/// - Parameters:
///   - parts, buffer, bufferStatistics, scale, shift, statistics, isTraining, epsilon, activation: as
///     `batchNorm(concatenating:storedIn:bufferStatistics:scale:shift:statistics:isTraining:epsilon:activation:)`
///     (one part is a plain input, normalized as `batchNorm` does, the buffer unused).
///   - weight, bias, stride, padding, weightsVersion: as `conv2d` (one group, dilation 1).
/// - Returns: the convolution's output `[batch, outputHeight, outputWidth, outputChannels]`.
public func batchNormConv2d(concatenating parts: [Tensor], storedIn buffer: Tensor? = nil,
                            bufferStatistics: ChannelBufferStatistics? = nil, scale: Tensor, shift: Tensor,
                            statistics: BatchNormStatistics, isTraining: Bool, epsilon: Float = 1e-5, activation: Activation,
                            weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding2D = .zero,
                            weightsVersion: WeightsVersion? = nil) -> Tensor {
    let operation = "batchNormConv2d"
    let normalizationInputs = parts + [scale, shift]
    let inputs = normalizationInputs + [weight] + (bias.map { [$0] } ?? [])
    guard ComputePrecision.current == .bf16, let upper = activation.clampUpperBound, epsilon > 0,
          Tensor.shouldRecord(inputs) else {
        let normalized = batchNorm(concatenating: parts, storedIn: buffer, bufferStatistics: bufferStatistics, scale: scale,
                                   shift: shift, statistics: statistics, isTraining: isTraining, epsilon: epsilon,
                                   activation: activation)
        return conv2d(normalized, weight: weight, bias: bias, stride: stride, padding: padding, weightsVersion: weightsVersion)
    }
    // One part is normalized as `batchNorm(concatenating:)` normalizes it, from the part itself.
    let (buffer, bufferStatistics) = parts.count > 1 ? (buffer, bufferStatistics) : (nil, nil)
    let normalization = ConcatenatedBatchNorm(operation, parts: parts, storedIn: buffer, bufferStatistics: bufferStatistics,
                                              scale: scale, shift: shift, statistics: statistics, epsilon: epsilon,
                                              upper: upper)
    let geometry = Tensor.convolutionGeometry(operation, inputShape: normalization.outputShape, weight: weight, bias: bias,
                                              stride: stride, padding: padding, dilation: 1, groups: 1)
    let kernel = Tensor.kernelCall(operation) { try Convolution2DKernel(geometry, activationLayout: .operationDefault) }
        .primitives
    let normalized = BFloat16Copy(uninitializedCount: normalization.outputShape.reduce(1, *))
    let (mean, variance) = normalization.forward(
        scale: scale, shift: shift, statistics: statistics, isTraining: isTraining, bufferStatistics: bufferStatistics,
        output: .bfloat16(normalized.mutablePointer.assumingMemoryBound(to: UInt16.self)))
    let convolution = WeightedWindowPass(
        operation, kernel: kernel, input: .bfloat16(normalized, shape: normalization.outputShape), weight: weight, bias: bias,
        weightsVersion: weightsVersion, activation: nil,
        needs: (normalizationInputs.contains(where: \.requiresGradient), weight.requiresGradient, bias?.requiresGradient ?? false))
    let convolutionBackward = convolution.backward!
    let normalizationBackward = normalization.backward(scale: scale, shift: shift, mean: mean, variance: variance,
                                                       isTraining: isTraining)
    let weightIndex = normalizationInputs.count
    return convolution.output.recording("\(operation)+\(activation)", inputs: inputs, accumulatingBackward: { gradient, sums in
        let gradients = convolutionBackward(gradient)
        if let inputGradient = gradients.inputInBF16 {
            normalizationBackward(.bfloat16(inputGradient.pointer.assumingMemoryBound(to: UInt16.self)), &sums)
        }
        if let weightGradient = gradients.weight { Tensor.accumulate(weightGradient, into: &sums[weightIndex]) }
        if let biasGradient = gradients.bias { Tensor.accumulate(biasGradient, into: &sums[weightIndex + 1]) }
    })
}
