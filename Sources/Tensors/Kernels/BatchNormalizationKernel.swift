internal import CDNNL

/// Batch normalization over the channel (last) axis of NHWC Float32 activations with oneDNN,
/// with learnable per-channel `scale` (gamma) and `shift` (beta).
package struct BatchNormalizationKernel: Sendable {
    /// Sizes of the NHWC activations.
    package let batch: Int, height: Int, width: Int, channels: Int
    /// Added to the variance before the square root.
    package let epsilon: Float

    /// Validates the sizes; throws a `DNNLError` naming the batch normalization if they are unusable.
    package init(batch: Int, height: Int, width: Int, channels: Int, epsilon: Float = 1e-5) throws {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
        self.epsilon = epsilon
        if batch < 1 || height < 1 || width < 1 || channels < 1 {
            throw DNNLError(primitive: "batch normalization \(batch)x\(channels)x\(height)x\(width)",
                            cause: .invalidGeometry("sizes must be positive"))
        }
        if !(epsilon > 0) {
            throw DNNLError(primitive: "batch normalization \(batch)x\(channels)x\(height)x\(width)",
                            cause: .invalidGeometry("epsilon \(epsilon) must be positive"))
        }
    }

    /// Number of values per channel (batch * height * width), the statistics' sample size.
    package var valuesPerChannel: Int { batch * height * width }

    private enum Pass: Int {
        case training, inference, backward
        /// Forward with given statistics in training mode: only the hint of `backwardGivenStatistics`.
        case trainingGivenStatistics
        /// Backward of a normalization with given (running) statistics, as in a frozen batch norm.
        case backwardGivenStatistics

        var usesGivenStatistics: Bool { self == .inference || self == .trainingGivenStatistics || self == .backwardGivenStatistics }
        var isBackward: Bool { self == .backward || self == .backwardGivenStatistics }
    }

    private func name(_ pass: Pass) -> String {
        let passName = pass.isBackward ? "backward" : pass == .inference ? "forward inference" : "forward"
        return "batch normalization \(passName) \(batch)x\(channels)x\(height)x\(width)"
    }

    private func primitive(_ pass: Pass, context: DNNLContext) throws -> DNNLPrimitive {
        let key = PrimitiveKey(kind: "batch normalization",
                               parameters: [batch, height, width, channels, Int(epsilon.bitPattern), pass.rawValue])
        return try context.cache.plan(key) {
            let name = self.name(pass)
            let data = try MemoryDescriptor.make([batch, channels, height, width], dnnl_nhwc, primitive: name)
            let flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
                | (pass.usesGivenStatistics ? dnnl_use_global_stats.rawValue : 0)
            switch pass {
            case .training, .inference, .trainingGivenStatistics:
                let propagation = pass == .inference ? dnnl_forward_inference : dnnl_forward_training
                return try DNNLPrimitive(context: context, name: name,
                                         call: "dnnl_batch_normalization_forward_primitive_desc_create") {
                    dnnl_batch_normalization_forward_primitive_desc_create(&$0, context.engine, propagation, data.handle,
                                                                           data.handle, epsilon, flags, $1)
                }
            case .backward, .backwardGivenStatistics:
                let hint = try primitive(pass == .backward ? .training : .trainingGivenStatistics, context: context)
                return try DNNLPrimitive(context: context, name: name,
                                         call: "dnnl_batch_normalization_backward_primitive_desc_create") {
                    dnnl_batch_normalization_backward_primitive_desc_create(&$0, context.engine, dnnl_backward, data.handle,
                                                                            data.handle, data.handle, epsilon, flags,
                                                                            hint.descriptor, $1)
                }
            }
        }
    }

    /// Training forward pass: normalizes with the batch statistics, which it writes to `mean` and
    /// `variance` (biased, divided by `valuesPerChannel`; `channels` values each).
    package func forwardTraining(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                 output: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 variance: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute(NormalizationArguments.forward(input: input, scale: scale, shift: shift, output: output,
                                                               mean: mean, variance: variance)) {
            try primitive(.training, context: $0)
        }
    }

    /// Inference forward pass with given (running) statistics.
    package func forwardInference(input: UnsafePointer<Float>, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                                  mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                                  output: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute(NormalizationArguments.forward(input: input, scale: scale, shift: shift, output: output,
                                                               mean: mean, variance: variance)) {
            try primitive(.inference, context: $0)
        }
    }

    /// Gradients with respect to input, scale and shift (written, not accumulated).
    ///
    /// - Parameter statisticsWereGiven: false after `forwardTraining` (`mean`/`variance` are the
    ///   batch statistics it returned, and they depend on the input); true after
    ///   `forwardInference` (`mean`/`variance` are the given running statistics, constants).
    package func backward(gradOutput: UnsafePointer<Float>, input: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                          mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, statisticsWereGiven: Bool = false,
                          gradInput: UnsafeMutablePointer<Float>, gradScale: UnsafeMutablePointer<Float>,
                          gradShift: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute(NormalizationArguments.backward(gradOutput: gradOutput, input: input, scale: scale,
                                                                mean: mean, variance: variance, gradInput: gradInput,
                                                                gradScale: gradScale, gradShift: gradShift,
                                                                passingShift: false)) {
            try primitive(statisticsWereGiven ? .backwardGivenStatistics : .backward, context: $0)
        }
    }
}
