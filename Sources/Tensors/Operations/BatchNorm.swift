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
    let kernel = BatchNormActivationKernel(rows: input.scalarCount / channels, channels: channels, epsilon: epsilon,
                                           upper: upper)
    let output = Tensor(uninitializedShape: input.shape)
    let mean: Tensor, variance: Tensor
    if isTraining {
        mean = Tensor(uninitializedShape: [channels])
        variance = Tensor(uninitializedShape: [channels])
        kernel.forwardTraining(input: input.kernelInput, scale: scale.kernelInput, shift: shift.kernelInput,
                               output: output.kernelOutput, mean: mean.kernelOutput, variance: variance.kernelOutput)
        statistics.update(batchMean: mean, batchVariance: variance, sampleCount: kernel.rows)
    } else {
        mean = statistics.mean.detached()
        variance = statistics.variance.detached()
        kernel.forwardWithStatistics(input: input.kernelInput, scale: scale.kernelInput, shift: shift.kernelInput,
                                     mean: mean.kernelInput, variance: variance.kernelInput, output: output.kernelOutput)
    }
    guard Tensor.shouldRecord(input, scale, shift) else { return output }
    let savedShift = shift.detached()  // with the input, scale and statistics: the activation's mask
    return output.recordingNormalization("\(operation)+\(activation)", input: input, scale: scale, shift: shift) { gradient in
        kernel.backward(gradOutput: gradient.output, input: gradient.input, scale: gradient.scale,
                        shift: savedShift.kernelInput, mean: mean.kernelInput, variance: variance.kernelInput,
                        statisticsWereGiven: !isTraining, gradInput: gradient.gradInput, gradScale: gradient.gradScale,
                        gradShift: gradient.gradShift)
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
