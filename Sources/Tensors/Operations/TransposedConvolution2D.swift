/// 2-D transposed convolution of NHWC activations, PyTorch's `conv_transpose2d` semantics.
///
/// - Parameters:
///   - input: `[batch, height, width, inputChannels]`.
///   - weight: `[inputChannels, outputChannels / groups, kernelHeight, kernelWidth]` (PyTorch layout).
///   - bias: `[outputChannels]` or nil.
///   - outputPadding: extra rows and columns at the bottom/right (smaller than stride or dilation).
/// Each pass uses the faster activation layout for its geometry (timed once, see
/// `ConvolutionActivationLayout.fastest`).
/// - Returns: `[batch, outputHeight, outputWidth, outputChannels]` with
///   `outputHeight = (height - 1) * stride - padding.top - padding.bottom + dilation * (kernelHeight - 1) + 1 + outputPadding`.
public func transposedConv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                             padding: Padding2D = .zero, outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1,
                             weightsVersion: WeightsVersion? = nil) -> Tensor {
    let operation = "transposedConv2d"
    input.checkNHWC(operation)
    guard weight.rank == 4, groups > 0, weight.shape[0] == input.shape[3] else {
        Tensor.fail(.shapeMismatch(operation: "\(operation) input and weight", lhs: input.shape, rhs: weight.shape))
    }
    let outputChannels = weight.shape[1] * groups
    if let bias, bias.shape != [outputChannels] {
        Tensor.fail(.shapeMismatch(operation: "\(operation) (groups \(groups)) weight and bias", lhs: weight.shape, rhs: bias.shape))
    }
    let geometry = Convolution2DGeometry(
        batch: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2], inputChannels: input.shape[3],
        outputChannels: outputChannels,
        window: Window2D(kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], strideY: stride, strideX: stride,
                         dilationY: dilation, dilationX: dilation, padding: padding),
        groups: groups, hasBias: bias != nil)
    return Tensor.weightedWindow(operation, input: input, weight: weight, bias: bias, weightsVersion: weightsVersion) {
        try TransposedConvolution2DKernel(geometry, outputPaddingY: outputPadding, outputPaddingX: outputPadding,
                                          activationLayout: .fastest)
    }
}
