/// Weight and bias gradients of a pointwise convolution (1x1, stride 1, no padding, one group) on
/// NHWC activations as matrix products: with the pixels as rows, `gradWeights [out, in] =
/// gradOutputᵀ [out, pixels] · input [pixels, in]` and `gradBias = 1ᵀ · gradOutput`.
///
/// oneDNN 2.6's backward-weights primitive (`jit_1x1`) is slower on these shapes. Measured with
/// `engine-benchmark --filter 1x1` on 2 cores, batch 16, two alternating runs each (GFLOP/s, `dnnl_sgemm`
/// here against the primitive): DenseNet-201 256->128 @56 178-189 vs 163-171, 1024->128 @14 178-183
/// vs 172-173; ConvNeXt-Tiny 96->384 @56 159 vs 119-126, 384->1536 @14 208-211 vs 192-199.
enum PointwiseBackwardWeights {
    /// Whether `geometry` is a plain pointwise convolution (the case handled here).
    static func handles(_ geometry: Convolution2DGeometry) -> Bool {
        let window = geometry.window, padding = window.padding
        return window.kernelHeight == 1 && window.kernelWidth == 1 && window.strideY == 1 && window.strideX == 1
            && geometry.groups == 1 && [padding.top, padding.bottom, padding.left, padding.right].allSatisfy { $0 == 0 }
    }

    /// Writes `gradWeights` (PyTorch layout `[out, in, 1, 1]`) and, if given, `gradBias`. With
    /// `precision` bf16 the weight product reads bf16 copies (as the other convolutions' backward
    /// weights do): the operands' own when they are `ConvolutionOperand.bfloat16`, converted here
    /// otherwise; the bias sums stay FP32 (they need `gradOutput.float32Values`).
    /// - Throws: `DNNLError` when oneDNN cannot run the bf16 product.
    static func run(_ geometry: Convolution2DGeometry, input: ConvolutionOperand, gradOutput: ConvolutionOperand,
                    gradWeights: UnsafeMutablePointer<Float>, gradBias: UnsafeMutablePointer<Float>?,
                    precision: ComputePrecision = .fp32) throws {
        let pixels = geometry.batch * geometry.inputHeight * geometry.inputWidth
        let inputs = geometry.inputChannels, outputs = geometry.outputChannels
        switch (input, gradOutput) {
        case let (.bfloat16(inputCopy, _), .bfloat16(gradOutputCopy, _)):
            try BFloat16MatrixProduct.multiply(gradOutputCopy, transposingA: true, inputCopy, transposingB: false,
                                               into: gradWeights, m: outputs, n: inputs, k: pixels)
        case let (.float32(input), .float32(gradOutput)):
            Gemm.multiply(gradOutput, transposingA: true, input, transposingB: false, into: gradWeights,
                          m: outputs, n: inputs, k: pixels, precision: precision)
        default:
            preconditionFailure("PointwiseBackwardWeights: the input and the output gradient of one element type")
        }
        guard let gradBias else { return }
        guard let gradOutput = gradOutput.float32Values else {
            preconditionFailure("PointwiseBackwardWeights: a bias gradient needs the FP32 output gradient")
        }
        let ones = UnsafeMutablePointer<Float>.allocate(capacity: pixels)
        ones.initialize(repeating: 1, count: pixels)
        defer { ones.deallocate() }
        Gemm.multiply(ones, transposingA: false, gradOutput, transposingB: false, into: gradBias, m: 1, n: outputs, k: pixels)
    }
}
