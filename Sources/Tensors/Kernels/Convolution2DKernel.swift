/// 2-D convolution (cross-correlation, like PyTorch's `conv2d`) on raw buffers with oneDNN.
///
/// Activations are NHWC Float32 (inference may also take and give the channel-blocked `ActivationFormat`s);
/// weights are PyTorch's `[outputChannels, inputChannels/groups, kH, kW]`; bias is `[outputChannels]`.
/// oneDNN picks the weight layout; reordered weights are reused while the caller's `WeightsVersion`
/// is unchanged (pass nil to reorder on every call). The algorithm (direct or Winograd) follows
/// `ConvolutionAlgorithm.staticChoice` unless forced.
package struct Convolution2DKernel: Sendable {
    let primitives: ConvolutionPrimitives

    /// The geometry this kernel computes.
    package var geometry: Convolution2DGeometry { primitives.geometry }
    /// Output height and width.
    package var outputHeight: Int { primitives.outputHeight }
    package var outputWidth: Int { primitives.outputWidth }
    /// Number of output activations (batch * outputHeight * outputWidth * outputChannels).
    package var outputCount: Int { primitives.outputCount }

    /// The algorithm every pass asks oneDNN for first (a pass without a Winograd kernel runs direct).
    package var algorithm: ConvolutionAlgorithm { primitives.algorithm }

    /// Images per oneDNN call (Winograd on large images runs in sub-batches, see
    /// `ConvolutionAlgorithm.winogradPixelsPerCall`).
    package var imagesPerCall: Int { primitives.imagesPerCall }

    /// Validates `geometry`; throws a `DNNLError` naming the convolution if it is unusable, or if
    /// `algorithm` is `.winograd` and `ConvolutionAlgorithm.winogradSupports(geometry)` is false.
    /// - Parameter algorithm: nil for `ConvolutionAlgorithm.staticChoice(for: geometry)`.
    package init(_ geometry: Convolution2DGeometry, activationLayout: ConvolutionActivationLayout = .nhwc,
                 algorithm: ConvolutionAlgorithm? = nil) throws {
        primitives = try ConvolutionPrimitives(transposed: false, geometry: geometry, outputPadding: (0, 0),
                                               activationLayout: activationLayout, algorithm: algorithm)
    }

    /// Training forward pass: `output = conv(input, weights) + bias`. `bias` must be given iff `geometry.hasBias`.
    package func forward(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, weightsVersion: WeightsVersion? = nil,
                         bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) throws {
        try primitives.forward(.forwardTraining, input: input, weights: weights, weightsVersion: weightsVersion,
                               bias: bias, output: output)
    }

    /// Inference forward pass, optionally adding `residual` (same shape and format as the output)
    /// and then applying `activation` in the same pass.
    /// `input` is in `inputFormat` and `output` (of `outputFormat.elementCount(...)` floats) is
    /// written in `outputFormat`; a chain of Winograd layers in `.channelBlocked16`, or of direct ones in
    /// either blocked format, skips all reorders.
    package func forwardInference(input: UnsafePointer<Float>, inputFormat: ActivationFormat = .nhwc,
                                  weights: UnsafePointer<Float>, weightsVersion: WeightsVersion? = nil,
                                  bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
                                  output: UnsafeMutablePointer<Float>,
                                  outputFormat: ActivationFormat = .nhwc, activation: Activation? = nil) throws {
        try primitives.forward(.forwardInference, activation: activation,
                               formats: ConvolutionFormats(input: inputFormat, output: outputFormat), input: input,
                               weights: weights, weightsVersion: weightsVersion, bias: bias, residual: residual, output: output)
    }

    /// Gradient with respect to the input, written (not accumulated) into `gradInput`.
    package func backwardData(gradOutput: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                              weightsVersion: WeightsVersion? = nil, gradInput: UnsafeMutablePointer<Float>) throws {
        try primitives.backwardData(gradOutput: .float32(gradOutput), weights: weights, weightsVersion: weightsVersion,
                                    gradInput: gradInput)
    }

    /// Gradients with respect to weights and bias, written (not accumulated). `gradBias` must be given
    /// iff `geometry.hasBias`. Depthwise convolutions with one filter per channel use a Swift kernel
    /// (`DepthwiseBackwardWeights`): 27-37 GFLOP/s against oneDNN 2.6's 4-5 on ConvNeXt-Tiny stage 1;
    /// pointwise ones are two matrix products (`PointwiseBackwardWeights`, 4-28% faster than oneDNN's).
    package func backwardWeights(input: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                                 gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?) throws {
        try primitives.backwardWeights(input: .float32(input), gradOutput: .float32(gradOutput), gradWeights: gradWeights, gradBias: gradBias)
    }

    /// The oneDNN implementation that runs `pass` on NHWC buffers (e.g. "brgconv:avx512_core",
    /// "jit_wino_4x3:avx512_core").
    package func implementation(of pass: ConvolutionPass) throws -> String { try primitives.implementation(pass) }
}
