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
///   - activation: ReLU or ReLU6 applied to the result; fused into the convolution when nothing is
///     recorded (inference), a separate `relu`/`relu6` otherwise.
/// Each pass uses the faster activation layout for its geometry (timed once, see
/// `ConvolutionActivationLayout.fastest`).
/// - Returns: `[batch, outputHeight, outputWidth, outputChannels]`.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding2D = .zero,
                   dilation: Int = 1, groups: Int = 1, weightsVersion: WeightsVersion? = nil,
                   activation: FusedActivation? = nil) -> Tensor {
    let operation = "conv2d"
    input.checkNHWC(operation)
    guard weight.rank == 4, groups > 0, weight.shape[1] * groups == input.shape[3] else {
        Tensor.fail(.shapeMismatch(operation: "\(operation) (groups \(groups)) input and weight", lhs: input.shape, rhs: weight.shape))
    }
    if let bias, bias.shape != [weight.shape[0]] {
        Tensor.fail(.shapeMismatch(operation: "\(operation) weight and bias", lhs: weight.shape, rhs: bias.shape))
    }
    let geometry = Convolution2DGeometry(
        batch: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2], inputChannels: input.shape[3],
        outputChannels: weight.shape[0],
        window: Window2D(kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], strideY: stride, strideX: stride,
                         dilationY: dilation, dilationX: dilation, padding: padding),
        groups: groups, hasBias: bias != nil)
    let makeKernel = { try Convolution2DKernel(geometry, activationLayout: .fastest) }
    guard let activation else {
        return Tensor.weightedWindow(operation, input: input, weight: weight, bias: bias, weightsVersion: weightsVersion,
                                     makeKernel: makeKernel)
    }
    guard !Tensor.shouldRecord([input, weight] + (bias.map { [$0] } ?? [])) else {
        let linear = Tensor.weightedWindow(operation, input: input, weight: weight, bias: bias,
                                           weightsVersion: weightsVersion, makeKernel: makeKernel)
        switch activation {
        case .relu: return relu(linear)
        case .relu6: return relu6(linear)
        }
    }
    let kernel = Tensor.kernelCall(operation, makeKernel)
    let output = Tensor(uninitializedShape: [geometry.batch, kernel.outputHeight, kernel.outputWidth, geometry.outputChannels])
    Tensor.kernelCall(operation) {
        try kernel.forwardInference(input: input.kernelInput, weights: weight.kernelInput, weightsVersion: weightsVersion,
                                    bias: bias?.kernelInput, output: output.kernelOutput, activation: activation)
    }
    return output
}
