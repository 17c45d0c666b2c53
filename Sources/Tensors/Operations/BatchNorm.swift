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
///     run in the same passes over memory as the normalization (`BatchNormActivationKernel`); the
///     others run after it.
public func batchNorm(_ input: Tensor, scale: Tensor, shift: Tensor, statistics: BatchNormStatistics, isTraining: Bool,
                      epsilon: Float = 1e-5, activation: Activation? = nil) -> Tensor {
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
        return Tensor.activation(batchNormOnly(input, scale: scale, shift: shift, statistics: statistics,
                                               isTraining: isTraining, epsilon: epsilon), activation)
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

/// `batchNorm(Tensor(concatenating: parts, alongAxis: 3), ...)` with ReLU or ReLU6, reading the parts
/// in place: the concatenation is never copied out, and in the backward pass each part's gradient
/// is written, or added into the gradient it gathered from later layers, in the normalization's own
/// pass. A DenseNet layer normalizes the concatenation of the block input and every earlier layer's
/// output (`parts [batch, height, width, c_p]`, the `c_p` adding up to `scale`'s channels); copied out,
/// those concatenations are quadratic in the layers (DenseNet-201's FP32 training step spent 0.13 s
/// copying them and 0.08 s splitting their gradients, of 2.4 s, Intel Xeon, 2026-12-06).
/// GELU, or a single part, takes the concatenation and `batchNorm` as they are.
///
/// - Parameter buffer: when given, `[batch, height, width, c ≥ Σ c_p]` whose first channels hold the
///   parts' values (a dense block's channel buffer, to which each layer's output is appended): the
///   rows are read from it (one run of channels per row) instead of gathered from the parts (a
///   short run per part and row: DenseNet-201's block-3 layers have up to 48 parts of 32 channels).
///   The gradients still go to the parts.
/// - Parameter bufferStatistics: in training, where the batch statistics of `buffer`'s channels are
///   kept for the next readers (`ChannelBufferStatistics`, made for this `buffer`): this
///   normalization computes only those of the channels not seen before, and reads the buffer once
///   less.
public func batchNorm(concatenating parts: [Tensor], storedIn buffer: Tensor? = nil,
                      bufferStatistics: ChannelBufferStatistics? = nil, scale: Tensor, shift: Tensor,
                      statistics: BatchNormStatistics, isTraining: Bool, epsilon: Float = 1e-5,
                      activation: Activation) -> Tensor {
    let operation = "batchNorm(concatenating:)"
    guard parts.count > 1, let upper = activation.clampUpperBound, epsilon > 0 else {
        let input = parts.count == 1 ? parts[0] : Tensor(concatenating: parts, alongAxis: 3)
        return batchNorm(input, scale: scale, shift: shift, statistics: statistics, isTraining: isTraining,
                         epsilon: epsilon, activation: activation)
    }
    let normalization = ConcatenatedBatchNorm(operation, parts: parts, storedIn: buffer, bufferStatistics: bufferStatistics,
                                              scale: scale, shift: shift, statistics: statistics, epsilon: epsilon,
                                              upper: upper)
    let output = Tensor(uninitializedShape: normalization.outputShape)
    let (mean, variance) = normalization.forward(scale: scale, shift: shift, statistics: statistics, isTraining: isTraining,
                                                 bufferStatistics: bufferStatistics, output: .float32(output.kernelOutput))
    let inputs = parts + [scale, shift]
    guard Tensor.shouldRecord(inputs) else { return output }
    let backward = normalization.backward(scale: scale, shift: shift, mean: mean, variance: variance, isTraining: isTraining)
    return output.recording("\(operation)+\(activation)", inputs: inputs, accumulatingBackward: { gradient, sums in
        withExtendedLifetime(gradient) { backward(.float32(gradient.kernelInput), &sums) }
    })
}

/// The batch normalization + ReLU or ReLU6 of one or more parts concatenated along the channels,
/// read in place (`batchNorm(concatenating:)`, and `batchNormConv2d`, which writes its output as bf16
/// and reads a bf16 gradient): the checked arguments, the kernel, its forward pass and its recorded
/// backward pass, which writes (or adds) the parts' gradients and those of `scale` and `shift`.
struct ConcatenatedBatchNorm {
    let parts: [Tensor], buffer: Tensor?
    /// The parts' channels, their sum, and the output's shape `[batch, height, width, channels]`.
    let widths: [Int], channels: Int, outputShape: [Int]
    let kernel: BatchNormActivationKernel

    /// Stops on parts of different sizes, statistics of other channels or a `buffer` (see
    /// `batchNorm(concatenating:)`) that does not hold them.
    init(_ operation: String, parts: [Tensor], storedIn buffer: Tensor?, bufferStatistics: ChannelBufferStatistics?,
         scale: Tensor, shift: Tensor, statistics: BatchNormStatistics, epsilon: Float, upper: Float) {
        guard let first = parts.first else {
            Tensor.fail(.invalidArgument(operation: operation, message: "no parts to normalize"))
        }
        for part in parts {
            part.checkNHWC(operation)
            guard part.shape.dropLast() == first.shape.dropLast() else {
                Tensor.fail(.shapeMismatch(operation: operation, lhs: first.shape, rhs: part.shape))
            }
        }
        widths = parts.map { $0.shape[3] }
        channels = widths.reduce(0, +)
        outputShape = Array(first.shape.dropLast()) + [channels]
        for (name, tensor) in [("scale", scale), ("shift", shift), ("running mean", statistics.mean),
                               ("running variance", statistics.variance)] where tensor.shape != [channels] {
            Tensor.fail(.shapeMismatch(operation: "\(operation) input and \(name)", lhs: outputShape, rhs: tensor.shape))
        }
        if let buffer {
            buffer.checkNHWC(operation)
            guard buffer.shape.dropLast() == first.shape.dropLast(), buffer.shape[3] >= channels else {
                Tensor.fail(.shapeMismatch(operation: "\(operation) buffer of \(channels) channels", lhs: outputShape,
                                           rhs: buffer.shape))
            }
        }
        if let bufferStatistics {
            precondition(buffer?.storage === bufferStatistics.buffer.storage,
                         "\(operation): the buffer statistics are of another buffer than the one read")
        }
        self.parts = parts
        self.buffer = buffer
        kernel = BatchNormActivationKernel(rows: first.scalarCount / widths[0], channels: channels, epsilon: epsilon,
                                           upper: upper)
    }

    /// Where the kernel reads the input: the leading channels of `buffer`, the one part, or the parts.
    private static func input(_ parts: [Tensor], _ buffer: Tensor?, widths: [Int]) -> BatchNormActivationKernel.Input {
        if let buffer { return .strided(buffer.kernelInput, rowStride: buffer.shape[3]) }
        if parts.count == 1 { return .contiguous(parts[0].kernelInput) }
        return .channelParts(parts.map(\.kernelInput), widths: widths)
    }

    /// Normalizes into `output` (the output's shape) and returns the statistics it used: in training
    /// the batch ones (kept in `bufferStatistics`, or computed here), with `statistics` updated; else
    /// `statistics`.
    func forward(scale: Tensor, shift: Tensor, statistics: BatchNormStatistics, isTraining: Bool,
                 bufferStatistics: ChannelBufferStatistics?, output: BatchNormActivationKernel.Output)
        -> (mean: Tensor, variance: Tensor) {
        withExtendedLifetime((parts, buffer)) {
            let input = Self.input(parts, buffer, widths: widths)
            let mean: Tensor, variance: Tensor
            if isTraining {
                (mean, variance) = bufferStatistics?.leading(channels) ?? {
                    let mean = Tensor(uninitializedShape: [channels]), variance = Tensor(uninitializedShape: [channels])
                    kernel.batchStatistics(input: input, mean: mean.kernelOutput, variance: variance.kernelOutput)
                    return (mean, variance)
                }()
                statistics.update(batchMean: mean, batchVariance: variance, sampleCount: kernel.rows)
            } else {
                (mean, variance) = (statistics.mean.detached(), statistics.variance.detached())
            }
            kernel.forwardWithStatistics(input: input, scale: scale.kernelInput, shift: shift.kernelInput,
                                         mean: mean.kernelInput, variance: variance.kernelInput, output: output)
            return (mean, variance)
        }
    }

    /// The backward pass of `forward`, for an accumulating record whose inputs are the parts, then
    /// `scale` and `shift` (and possibly more after them): from the output's gradient it puts the
    /// gradients of those that need one into `sums` (the parts' written or added in the pass).
    /// It keeps the buffer, or the parts where there is none, not both: with a buffer, keeping
    /// the parts would keep every earlier layer's output alive beside the buffer that holds it too.
    func backward(scale: Tensor, shift: Tensor, mean: Tensor, variance: Tensor, isTraining: Bool)
        -> (_ gradOutput: BatchNormActivationKernel.OutputGradient, _ sums: inout [Tensor?]) -> Void {
        let savedParts = buffer == nil ? parts.map { $0.detached() } : [], savedBuffer = buffer?.detached()
        let savedScale = scale.detached(), savedShift = shift.detached()
        let inputs = parts + [scale, shift]
        let needs = inputs.map(\.requiresGradient), shapes = inputs.map(\.shape)
        let (kernel, widths, channels, partCount) = (kernel, widths, channels, parts.count)
        return { gradOutput, sums in
            let targets = GatheredGradientTargets(needs: Array(needs.prefix(partCount)) + [false, false], shapes: shapes,
                                                  sums: &sums)
            let gradScale = Tensor(uninitializedShape: [channels]), gradShift = Tensor(uninitializedShape: [channels])
            let pointers = Array(targets.pointers.prefix(partCount)), adding = Array(targets.adding.prefix(partCount))
            let gradInput: BatchNormActivationKernel.InputGradient =
                if partCount == 1, let whole = pointers[0], !adding[0] { .contiguous(whole) }
                else { .channelParts(pointers, widths: widths, adding: adding) }
            withExtendedLifetime((savedParts, savedBuffer, savedScale, savedShift, targets.targets)) {
                kernel.backward(gradOutput: gradOutput, input: Self.input(savedParts, savedBuffer, widths: widths),
                                scale: savedScale.kernelInput, shift: savedShift.kernelInput,
                                mean: mean.kernelInput, variance: variance.kernelInput, statisticsWereGiven: !isTraining,
                                gradInput: gradInput, gradScale: gradScale.kernelOutput, gradShift: gradShift.kernelOutput)
            }
            targets.finish(into: &sums)
            for (index, parameterGradient) in [(partCount, gradScale), (partCount + 1, gradShift)] where needs[index] {
                Tensor.accumulate(parameterGradient, into: &sums[index])
            }
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
