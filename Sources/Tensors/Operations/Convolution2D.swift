/// 2-D convolution of NHWC activations, PyTorch's `conv2d` semantics.
///
/// - Parameters:
///   - input: `[batch, height, width, inputChannels]`.
///   - weight: `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]` (PyTorch layout).
///   - bias: `[outputChannels]` or nil.
///   - padding: zeros on each side independently (TensorFlow-style "same" may be asymmetric).
///   - dilation: spacing of kernel taps (1 = dense).
///   - groups: channel groups (`groups == inputChannels` is depthwise).
///   - weightsVersion: identifies the weight values, so oneDNN's reordered copy is reused until
///     they change; nil reorders on every call.
///   - residual: a tensor of the output's shape added to the result before `activation` (a skip
///     connection); fused into the convolution when nothing is recorded, a separate add otherwise.
///   - activation: applied to the result; fused into the convolution when nothing is recorded
///     (inference), and in training too for those whose gradient is read off the output (ReLU,
///     ReLU6, sigmoid, tanh: `Activation.backwardUsesOutput`) when no residual comes first; a
///     separate operation otherwise.
/// Activations stay NHWC (`ConvolutionActivationLayout.operationDefault`, which can opt in to
/// timing-based layout choice); 3x3 stride-1 layers with 64 or more channels run Winograd
/// (`ConvolutionAlgorithm.staticChoice`, by shape only, so results repeat from run to run): oneDNN's
/// where it has one, otherwise, when nothing is recorded, the engine's (`WinogradConvolution`).
/// - Returns: `[batch, outputHeight, outputWidth, outputChannels]`.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding2D = .zero,
                   dilation: Int = 1, groups: Int = 1, weightsVersion: WeightsVersion? = nil,
                   adding residual: Tensor? = nil, activation: Activation? = nil) -> Tensor {
    let operation = "conv2d"
    input.checkNHWC(operation)
    let geometry = Tensor.convolutionGeometry(operation, inputShape: input.shape, weight: weight, bias: bias,
                                              stride: stride, padding: padding, dilation: dilation, groups: groups)
    let makeKernel = { try Convolution2DKernel(geometry, activationLayout: .operationDefault) }
    // Recorded (training): oneDNN's forward-training pass, with the activation as its post-op when
    // its gradient needs only the output and no residual comes first, else the add and activation
    // as their own operations. Nothing recorded: the inference pass, which fuses them and may run
    // the engine's Winograd.
    guard !Tensor.shouldRecord([input, weight] + (bias.map { [$0] } ?? []) + (residual.map { [$0] } ?? [])) else {
        if residual == nil, let activation, activation.backwardUsesOutput {
            return Tensor.weightedWindow(operation, input: input, weight: weight, bias: bias, weightsVersion: weightsVersion,
                                         activation: activation, makeKernel: makeKernel)
        }
        let linear = Tensor.weightedWindow(operation, input: input, weight: weight, bias: bias,
                                           weightsVersion: weightsVersion, makeKernel: makeKernel)
        let sum = residual.map { linear + $0 } ?? linear
        return activation.map { Tensor.activation(sum, $0) } ?? sum
    }
    let kernel = Tensor.kernelCall(operation, makeKernel)
    let outputShape = [geometry.batch, kernel.outputHeight, kernel.outputWidth, geometry.outputChannels]
    if let residual, residual.shape != outputShape {
        Tensor.fail(.shapeMismatch(operation: "\(operation) output and residual", lhs: outputShape, rhs: residual.shape))
    }
    let output = Tensor(uninitializedShape: outputShape)
    Tensor.kernelCall(operation) {
        try kernel.forwardInference(input: input.kernelInput, weights: weight.kernelInput, weightsVersion: weightsVersion,
                                    bias: bias?.kernelInput, residual: residual?.kernelInput, output: output.kernelOutput,
                                    activation: activation)
    }
    return output
}

extension Tensor {
    /// The geometry of `conv2d` on NHWC input of `inputShape`; stops on a weight or bias that does not fit.
    static func convolutionGeometry(_ operation: String, inputShape: [Int], weight: Tensor, bias: Tensor?, stride: Int,
                                    padding: Padding2D, dilation: Int, groups: Int) -> Convolution2DGeometry {
        guard weight.rank == 4, groups > 0, weight.shape[1] * groups == inputShape[3] else {
            fail(.shapeMismatch(operation: "\(operation) (groups \(groups)) input and weight", lhs: inputShape, rhs: weight.shape))
        }
        if let bias, bias.shape != [weight.shape[0]] {
            fail(.shapeMismatch(operation: "\(operation) weight and bias", lhs: weight.shape, rhs: bias.shape))
        }
        return Convolution2DGeometry(
            batch: inputShape[0], inputHeight: inputShape[1], inputWidth: inputShape[2], inputChannels: inputShape[3],
            outputChannels: weight.shape[0],
            window: Window2D(kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], strideY: stride, strideX: stride,
                             dilationY: dilation, dilationX: dilation, padding: padding),
            groups: groups, hasBias: bias != nil)
    }
}
