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
            let data = try MemoryDescriptor.make([rows, channels], dnnl_ab, primitive: name)
            let statistics = try MemoryDescriptor.make([rows], dnnl_a, primitive: name)
            let affine = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
            switch pass {
            case .training, .inference:
                let propagation = pass == .training ? dnnl_forward_training : dnnl_forward_inference
                return try DNNLPrimitive(context: context, name: name,
                                         call: "dnnl_layer_normalization_forward_primitive_desc_create") {
                    dnnl_layer_normalization_forward_primitive_desc_create(&$0, context.engine, propagation, data.handle,
                                                                           data.handle, statistics.handle, epsilon, affine, $1)
                }
            case .backward:
                let hint = try primitive(.training, context: context)
                return try DNNLPrimitive(context: context, name: name,
                                         call: "dnnl_layer_normalization_backward_primitive_desc_create") {
                    dnnl_layer_normalization_backward_primitive_desc_create(&$0, context.engine, dnnl_backward, data.handle,
                                                                            data.handle, data.handle, statistics.handle,
                                                                            epsilon, affine, hint.descriptor, $1)
                }
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
                                                                gradScale: gradScale, gradShift: gradShift,
                                                                passingShift: true)) {
            try primitive(.backward, context: $0)
        }
    }
}
