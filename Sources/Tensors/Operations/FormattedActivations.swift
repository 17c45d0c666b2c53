/// NHWC-shaped activations stored in an `ActivationFormat`, for inference chains that keep oneDNN's
/// channel-blocked format from one convolution or max pooling to the next and reorder only at the
/// ends (`init(_:)` and `nhwc()`). The operations on it record no gradients.
///
/// ```swift
/// var x = FormattedActivations(images).reordered(to: .channelBlocked16)
/// x = conv2d(x, weight: w, bias: b, padding: Padding2D(1), activation: .relu, outputFormat: .channelBlocked16)
/// x = maxPool2d(x, kernelSize: 2)
/// let features = x.nhwc()   // [batch, height, width, channels]
/// ```
public struct FormattedActivations {
    /// Logical sizes: `[batch, height, width, channels]`.
    public let shape: [Int]
    /// The memory order of `storage`.
    public let format: ActivationFormat
    /// `format.elementCount(...)` floats (a flat tensor unless the format is NHWC).
    let storage: Tensor

    /// NHWC activations `[batch, height, width, channels]` as they are (no copy).
    public init(_ nhwc: Tensor) {
        nhwc.checkNHWC("FormattedActivations")
        self.init(shape: nhwc.shape, format: .nhwc, storage: nhwc)
    }

    private init(shape: [Int], format: ActivationFormat, storage: Tensor) {
        self.shape = shape
        self.format = format
        self.storage = storage
    }

    /// A fresh, uninitialized buffer of `shape` in `format`.
    init(uninitializedShape shape: [Int], format: ActivationFormat) {
        let count = format.elementCount(batch: shape[0], height: shape[1], width: shape[2], channels: shape[3])
        self.init(shape: shape, format: format, storage: Tensor(uninitializedShape: format == .nhwc ? shape : [count]))
    }

    /// The same activations in `format` (self when already in it).
    public func reordered(to format: ActivationFormat) -> FormattedActivations {
        guard format != self.format else { return self }
        let operation = "FormattedActivations.reordered(to: \(format))"
        let kernel = Tensor.kernelCall(operation) {
            try ActivationReorderKernel(batch: shape[0], height: shape[1], width: shape[2], channels: shape[3],
                                        from: self.format, to: format)
        }
        let result = FormattedActivations(uninitializedShape: shape, format: format)
        Tensor.kernelCall(operation) { try kernel.run(input: storage.kernelInput, output: result.storage.kernelOutput) }
        return result
    }

    /// The activations as an NHWC tensor `[batch, height, width, channels]`.
    public func nhwc() -> Tensor { reordered(to: .nhwc).storage }
}

/// `conv2d` for inference on activations in any format: reads `input` in its format and writes
/// the result in `outputFormat`, plus `residual` (of the result's shape, in `outputFormat`, added
/// before the activation) when given, with `activation` fused. Records no gradients.
public func conv2d(_ input: FormattedActivations, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                   padding: Padding2D = .zero, dilation: Int = 1, groups: Int = 1, weightsVersion: WeightsVersion? = nil,
                   adding residual: FormattedActivations? = nil, activation: Activation? = nil,
                   outputFormat: ActivationFormat) -> FormattedActivations {
    let operation = "conv2d"
    let geometry = Tensor.convolutionGeometry(operation, inputShape: input.shape, weight: weight, bias: bias,
                                              stride: stride, padding: padding, dilation: dilation, groups: groups)
    let kernel = Tensor.kernelCall(operation) { try Convolution2DKernel(geometry, activationLayout: .operationDefault) }
    let output = FormattedActivations(
        uninitializedShape: [geometry.batch, kernel.outputHeight, kernel.outputWidth, geometry.outputChannels],
        format: outputFormat)
    if let residual, residual.shape != output.shape {
        Tensor.fail(.shapeMismatch(operation: "\(operation) output and residual", lhs: output.shape, rhs: residual.shape))
    }
    if let residual, residual.format != outputFormat {
        Tensor.fail(.invalidArgument(operation: operation,
                                     message: "the residual is in \(residual.format), the output in \(outputFormat)"))
    }
    Tensor.kernelCall(operation) {
        try kernel.forwardInference(input: input.storage.kernelInput, inputFormat: input.format, weights: weight.kernelInput,
                                    weightsVersion: weightsVersion, bias: bias?.kernelInput, residual: residual?.storage.kernelInput,
                                    output: output.storage.kernelOutput, outputFormat: outputFormat, activation: activation)
    }
    return output
}

/// `maxPool2d` for inference on activations in any format; the result keeps the input's format.
/// Records no gradients.
public func maxPool2d(_ input: FormattedActivations, kernelSize: Int, stride: Int? = nil, padding: Padding2D = .zero,
                      dilation: Int = 1) -> FormattedActivations {
    let operation = "maxPool2d"
    let window = Window2D(kernelHeight: kernelSize, kernelWidth: kernelSize, strideY: stride ?? kernelSize,
                          strideX: stride ?? kernelSize, dilationY: dilation, dilationX: dilation, padding: padding)
    let kernel = Tensor.kernelCall(operation) {
        try Pooling2DKernel(batch: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2],
                            channels: input.shape[3], window: window, mode: .max)
    }
    let output = FormattedActivations(uninitializedShape: [kernel.batch, kernel.outputHeight, kernel.outputWidth,
                                                           kernel.channels], format: input.format)
    Tensor.kernelCall(operation) {
        try kernel.forwardInference(input: input.storage.kernelInput, output: output.storage.kernelOutput, format: input.format)
    }
    return output
}
