/// Batch normalization over the channel (last) axis of NHWC activations `[batch, height, width, channels]`.
///
/// Training (`isTraining`): normalizes with the batch mean and biased variance, updates
/// `statistics` (unbiased variance, PyTorch's rule) and differentiates through the batch
/// statistics. Inference: normalizes with `statistics` (treated as constants, so gradients still
/// flow to input, scale and shift, as for a frozen layer).
/// - Parameters:
///   - scale: gamma, `[channels]`.
///   - shift: beta, `[channels]`.
public func batchNorm(_ input: Tensor, scale: Tensor, shift: Tensor, statistics: BatchNormStatistics, isTraining: Bool,
                      epsilon: Float = 1e-5) -> Tensor {
    let operation = "batchNorm"
    input.checkNHWC(operation)
    let channels = input.shape[3]
    for (name, tensor) in [("scale", scale), ("shift", shift), ("running mean", statistics.mean),
                           ("running variance", statistics.variance)] where tensor.shape != [channels] {
        Tensor.fail(.shapeMismatch(operation: "\(operation) input and \(name)", lhs: input.shape, rhs: tensor.shape))
    }
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
        statistics.mean.withUnsafeMutableBufferPointer { runningMean in
            statistics.variance.withUnsafeMutableBufferPointer { runningVariance in
                // Both hold `channels` > 0 floats (checked above), so the base addresses exist.
                guard let runningMean = runningMean.baseAddress, let runningVariance = runningVariance.baseAddress else { return }
                kernel.updateRunningStatistics(runningMean: runningMean, runningVariance: runningVariance,
                                               batchMean: mean.kernelInput, batchVariance: variance.kernelInput,
                                               momentum: statistics.momentum)
            }
        }
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
