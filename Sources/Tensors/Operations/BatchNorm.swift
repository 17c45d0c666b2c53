/// Batch normalization over the channel (last) axis of NHWC activations `[batch, height, width, channels]`.
///
/// Training (`isTraining`): normalizes with the batch mean and biased variance, updates
/// `statistics` (unbiased variance, PyTorch's rule) and differentiates through the batch
/// statistics. Inference: normalizes with `statistics` (treated as constants, so gradients still
/// flow to input, scale and shift, as for a frozen layer).
/// - Parameters:
///   - scale: gamma, `[channels]`.
///   - shift: beta, `[channels]`.
///   - activation: applied to the normalized values, `activation(batchNorm(...))`. ReLU and ReLU6
///     run in the same passes over memory as the normalization (`BatchNormActivationKernel`); GELU
///     runs after it.
public func batchNorm(_ input: Tensor, scale: Tensor, shift: Tensor, statistics: BatchNormStatistics, isTraining: Bool,
                      epsilon: Float = 1e-5, activation: FusedActivation? = nil) -> Tensor {
    let operation = "batchNorm"
    input.checkNHWC(operation)
    let channels = input.shape[3]
    for (name, tensor) in [("scale", scale), ("shift", shift), ("running mean", statistics.mean),
                           ("running variance", statistics.variance)] where tensor.shape != [channels] {
        Tensor.fail(.shapeMismatch(operation: "\(operation) input and \(name)", lhs: input.shape, rhs: tensor.shape))
    }
    guard let activation else {
        return batchNormOnly(input, scale: scale, shift: shift, statistics: statistics, isTraining: isTraining,
                             epsilon: epsilon)
    }
    guard let upper = activation.clampUpperBound, epsilon > 0 else {
        return activation.applied(to: batchNormOnly(input, scale: scale, shift: shift, statistics: statistics,
                                                    isTraining: isTraining, epsilon: epsilon))
    }
    return batchNormActivation(parts: [input], outputShape: input.shape, scale: scale, shift: shift, statistics: statistics,
                               isTraining: isTraining, epsilon: epsilon, activation: activation, upper: upper,
                               operation: operation)
}

/// `batchNorm(Tensor(concatenating: inputs, alongAxis: 3), ...)` with ReLU or ReLU6, without making
/// the concatenation: each input is normalized straight into its channels of the output, and
/// the backward pass hands each input its own gradient. DenseNet's layers normalize the
/// concatenation of every earlier feature map; concatenating them (and slicing the gradient
/// apart again) copied O(layers²) channels a block. Channels are normalized independently, so the
/// result is the same, statistics and running statistics included.
/// - Parameters:
///   - inputs: NHWC activations with one batch, height and width; their channels add up to
///     `scale`'s count. The output is `[batch, height, width, Σ channels]`.
///   - activation: ReLU or ReLU6 (GELU falls back to the concatenation and `batchNorm`).
public func batchNorm(concatenating inputs: [Tensor], scale: Tensor, shift: Tensor, statistics: BatchNormStatistics,
                      isTraining: Bool, epsilon: Float = 1e-5, activation: FusedActivation) -> Tensor {
    let operation = "batchNorm(concatenating:)"
    guard let first = inputs.first else {
        Tensor.fail(.invalidArgument(operation: operation, message: "no inputs to normalize"))
    }
    guard let upper = activation.clampUpperBound, epsilon > 0, inputs.count > 1 else {
        return batchNorm(inputs.count == 1 ? first : Tensor(concatenating: inputs, alongAxis: 3), scale: scale,
                         shift: shift, statistics: statistics, isTraining: isTraining, epsilon: epsilon, activation: activation)
    }
    for input in inputs {
        input.checkNHWC(operation)
        guard input.shape[..<3] == first.shape[..<3] else {
            Tensor.fail(.shapeMismatch(operation: operation, lhs: first.shape, rhs: input.shape))
        }
    }
    let channels = inputs.map { $0.shape[3] }, totalChannels = channels.reduce(0, +)
    let outputShape = Array(first.shape[..<3]) + [totalChannels]
    for (name, tensor) in [("scale", scale), ("shift", shift), ("running mean", statistics.mean),
                           ("running variance", statistics.variance)] where tensor.shape != [totalChannels] {
        Tensor.fail(.shapeMismatch(operation: "\(operation) inputs and \(name)", lhs: outputShape, rhs: tensor.shape))
    }
    return batchNormActivation(parts: inputs, outputShape: outputShape, scale: scale, shift: shift, statistics: statistics,
                               isTraining: isTraining, epsilon: epsilon, activation: activation, upper: upper,
                               operation: operation)
}

/// Batch normalization and ReLU or ReLU6 (`upper`: its clamp) of the concatenation of `parts`
/// along the channels (one part: a plain tensor) by `BatchNormActivationKernel`, which reads the
/// parts in place; the backward pass gives each part its own gradient. The shapes are checked.
private func batchNormActivation(parts: [Tensor], outputShape: [Int], scale: Tensor, shift: Tensor,
                                 statistics: BatchNormStatistics, isTraining: Bool, epsilon: Float,
                                 activation: FusedActivation, upper: Float, operation: String) -> Tensor {
    let channels = outputShape[3]
    let kernel = BatchNormActivationKernel(rows: parts[0].scalarCount / parts[0].shape[3], partChannels: parts.map { $0.shape[3] },
                                           epsilon: epsilon, upper: upper)
    let output = Tensor(uninitializedShape: outputShape)
    let mean: Tensor, variance: Tensor
    if isTraining {
        mean = Tensor(uninitializedShape: [channels])
        variance = Tensor(uninitializedShape: [channels])
        kernel.forwardTraining(inputs: parts.map(\.kernelInput), scale: scale.kernelInput, shift: shift.kernelInput,
                               output: output.kernelOutput, mean: mean.kernelOutput, variance: variance.kernelOutput)
        statistics.update(batchMean: mean, batchVariance: variance, sampleCount: kernel.rows)
    } else {
        mean = statistics.mean.detached()
        variance = statistics.variance.detached()
        kernel.forwardWithStatistics(inputs: parts.map(\.kernelInput), scale: scale.kernelInput, shift: shift.kernelInput,
                                     mean: mean.kernelInput, variance: variance.kernelInput, output: output.kernelOutput)
    }
    guard Tensor.shouldRecord(parts + [scale, shift]) else { return output }
    let savedOutput = output, savedParts = parts.map { $0.detached() }, savedScale = scale.detached()
    let needs = parts.map(\.requiresGradient) + [scale.requiresGradient, shift.requiresGradient]
    return output.recording("\(operation)+\(activation)", inputs: parts + [scale, shift]) { gradient in
        let gradScale = Tensor(uninitializedShape: [channels]), gradShift = Tensor(uninitializedShape: [channels])
        let gradParts = savedParts.map { Tensor(uninitializedShape: $0.shape) }
        withExtendedLifetime(gradient) {
            kernel.backward(gradOutput: gradient.kernelInput, output: savedOutput.kernelInput,
                            inputs: savedParts.map(\.kernelInput), scale: savedScale.kernelInput, mean: mean.kernelInput,
                            variance: variance.kernelInput, statisticsWereGiven: !isTraining,
                            gradInputs: gradParts.map(\.kernelOutput), gradScale: gradScale.kernelOutput,
                            gradShift: gradShift.kernelOutput)
        }
        return zip(gradParts + [gradScale, gradShift], needs).map { $1 ? $0 : nil }
    }
}

extension FusedActivation {
    /// The upper end of the clamp ReLU (infinite) and ReLU6 (6) apply; nil for GELU.
    var clampUpperBound: Float? {
        switch self {
        case .relu: return .infinity
        case .relu6: return 6
        case .gelu: return nil
        }
    }

    /// The activation as its own operation.
    func applied(to x: Tensor) -> Tensor {
        switch self {
        case .relu: return Tensors.relu(x)
        case .relu6: return Tensors.relu6(x)
        case .gelu: return Tensors.gelu(x)
        }
    }
}

/// Batch normalization by oneDNN's primitive, without an activation.
private func batchNormOnly(_ input: Tensor, scale: Tensor, shift: Tensor, statistics: BatchNormStatistics,
                           isTraining: Bool, epsilon: Float) -> Tensor {
    let operation = "batchNorm"
    let channels = input.shape[3]
    let kernel = Tensor.kernelCall(operation) {
        try BatchNormalizationKernel(batch: input.shape[0], height: input.shape[1], width: input.shape[2],
                                     channels: channels, epsilon: epsilon)
    }
    let output = Tensor(uninitializedShape: input.shape)
    let mean: Tensor, variance: Tensor
    if isTraining {
        mean = Tensor(uninitializedShape: [channels])
        variance = Tensor(uninitializedShape: [channels])
        Tensor.kernelCall(operation) {
            try kernel.forwardTraining(input: input.kernelInput, scale: scale.kernelInput, shift: shift.kernelInput,
                                       output: output.kernelOutput, mean: mean.kernelOutput, variance: variance.kernelOutput)
        }
        statistics.update(batchMean: mean, batchVariance: variance, sampleCount: kernel.valuesPerChannel)
    } else {
        mean = statistics.mean.detached()
        variance = statistics.variance.detached()
        Tensor.kernelCall(operation) {
            try kernel.forwardInference(input: input.kernelInput, scale: scale.kernelInput, shift: shift.kernelInput,
                                        mean: mean.kernelInput, variance: variance.kernelInput, output: output.kernelOutput)
        }
    }
    guard Tensor.shouldRecord(input, scale, shift) else { return output }
    return output.recordingNormalization(operation, input: input, scale: scale, shift: shift) { gradient in
        try kernel.backward(gradOutput: gradient.output, input: gradient.input, scale: gradient.scale,
                            mean: mean.kernelInput, variance: variance.kernelInput, statisticsWereGiven: !isTraining,
                            gradInput: gradient.gradInput, gradScale: gradient.gradScale, gradShift: gradient.gradShift)
    }
}
