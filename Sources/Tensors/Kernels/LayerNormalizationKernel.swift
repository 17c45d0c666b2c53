internal import CDNNL

/// Layer normalization over the last axis of a `[rows, channels]` Float32 buffer with oneDNN, with
/// per-channel `scale` and `shift`. On NHWC activations (rows = N*H*W) this is ConvNeXt's LayerNorm2d.
package struct LayerNormalizationKernel: Sendable {
    /// Number of normalized rows and their length (the channels).
    package let rows: Int, channels: Int
    /// Added to the variance before the square root.
    package let epsilon: Float

    /// Validates the sizes; throws a `DNNLError` naming the layer normalization if they are unusable.
    package init(rows: Int, channels: Int, epsilon: Float = 1e-5) throws {
        self.rows = rows
        self.channels = channels
        self.epsilon = epsilon
        if rows < 1 || channels < 1 {
            throw DNNLError(primitive: "layer normalization \(rows)x\(channels)", cause: .invalidGeometry("sizes must be positive"))
        }
        if !(epsilon > 0) {
            throw DNNLError(primitive: "layer normalization \(rows)x\(channels)",
                            cause: .invalidGeometry("epsilon \(epsilon) must be positive"))
        }
    }

    private enum Pass: Int { case training, inference, backward }

    private func name(_ pass: Pass) -> String {
        let passName = pass == .backward ? "backward" : pass == .inference ? "forward inference" : "forward"
        return "layer normalization \(passName) \(rows)x\(channels)"
    }

    private func primitive(_ pass: Pass, context: DNNLContext) throws -> DNNLPrimitive {
        let key = PrimitiveKey(kind: "layer normalization", parameters: [rows, channels, Int(epsilon.bitPattern), pass.rawValue])
        return try context.cache.plan(key) {
            let name = self.name(pass)
            var data = try MemoryDescriptor.make([rows, channels], dnnl_ab, primitive: name)
            var statistics = try MemoryDescriptor.make([rows], dnnl_a, primitive: name)
            var operation = dnnl_layer_normalization_desc_t()
            let affine = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
            switch pass {
            case .training, .inference:
                try dnnlCheck(dnnl_layer_normalization_forward_desc_init(
                    &operation, pass == .training ? dnnl_forward_training : dnnl_forward_inference,
                    &data, &statistics, epsilon, affine), "dnnl_layer_normalization_forward_desc_init", name)
                return try DNNLPrimitive(operation: operation, context: context, name: name)
            case .backward:
                try dnnlCheck(dnnl_layer_normalization_backward_desc_init(&operation, dnnl_backward, &data, &data,
                                                                          &statistics, epsilon, affine),
                              "dnnl_layer_normalization_backward_desc_init", name)
                return try DNNLPrimitive(operation: operation, hint: try primitive(.training, context: context),
                                         context: context, name: name)
            }
        }
    }

    /// Training forward pass; writes each row's mean and (biased) variance, which `backward` needs.
    package func forward(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                         output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                         variance: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute(NormalizationArguments.forward(input: input, scale: scale, shift: shift, output: output,
                                                               mean: mean, variance: variance)) {
            try primitive(.training, context: $0)
        }
    }

    /// Inference forward pass (statistics computed but not returned).
    package func forwardInference(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                  output: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute(NormalizationArguments.forward(input: input, scale: scale, shift: shift, output: output)) {
            try primitive(.inference, context: $0)
        }
    }

    /// Gradients with respect to input, scale and shift (written, not accumulated), given the row
    /// statistics from `forward`.
    package func backward(gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                          mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                          gradInput: UnsafeMutablePointer<Float>, gradScale: UnsafeMutablePointer<Float>,
                          gradShift: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute(NormalizationArguments.backward(gradOutput: gradOutput, input: input, scale: scale,
                                                                mean: mean, variance: variance, gradInput: gradInput,
                                                                gradScale: gradScale, gradShift: gradShift)) {
            try primitive(.backward, context: $0)
        }
    }
}
