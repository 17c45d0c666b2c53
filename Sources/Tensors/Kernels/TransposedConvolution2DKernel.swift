/// 2-D transposed convolution (PyTorch's `conv_transpose2d`) on raw buffers with oneDNN deconvolution.
///
/// `geometry` describes this operation's own input and output channels and its window (stride,
/// padding, dilation, groups as in PyTorch). Activations are NHWC Float32; weights are PyTorch's
/// `[inputChannels, outputChannels/groups, kH, kW]`; bias is `[outputChannels]`.
/// Output size: `(in - 1) * stride - padBefore - padAfter + dilation * (kernel - 1) + 1 + outputPadding`.
struct TransposedConvolution2DKernel: Sendable {
    let primitives: ConvolutionPrimitives

    /// The geometry this kernel computes.
    var geometry: Convolution2DGeometry { primitives.geometry }
    /// Output height and width.
    var outputHeight: Int { primitives.outputHeight }
    var outputWidth: Int { primitives.outputWidth }
    /// Number of output activations (batch * outputHeight * outputWidth * outputChannels).
    var outputCount: Int { primitives.outputCount }

    /// Validates the geometry; `outputPaddingY/X` (PyTorch's `output_padding`) add rows/columns at the
    /// bottom/right and must be smaller than the stride or the dilation.
    init(_ geometry: Convolution2DGeometry, outputPaddingY: Int = 0, outputPaddingX: Int = 0,
         activationLayout: ConvolutionActivationLayout = .nhwc) throws {
        primitives = try ConvolutionPrimitives(transposed: true, geometry: geometry,
                                               outputPadding: (outputPaddingY, outputPaddingX),
                                               activationLayout: activationLayout)
    }

    /// Forward pass. `bias` must be given iff `geometry.hasBias`.
    func forward(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion? = nil,
                 bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) throws {
        try primitives.forward(.forwardTraining, input: input, weights: weights, weightsVersion: weightsVersion,
                               bias: bias, output: output)
    }

    /// Gradient with respect to the input, written (not accumulated) into `gradInput`.
    func backwardData(gradOutput: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                      weightsVersion: WeightsVersion? = nil, gradInput: UnsafeMutablePointer<Float>) throws {
        try primitives.backwardData(gradOutput: .float32(gradOutput), weights: weights, weightsVersion: weightsVersion,
                                    gradInput: gradInput)
    }

    /// Gradients with respect to weights and bias, written (not accumulated). `gradBias` must be given
    /// iff `geometry.hasBias`.
    func backwardWeights(input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                         gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?) throws {
        try primitives.backwardWeights(input: .float32(input), gradOutput: .float32(gradOutput), gradWeights: gradWeights, gradBias: gradBias)
    }
}
