internal import CDNNL

/// How a pooling window combines its values.
package enum PoolingMode: Int, Hashable, Sendable {
    /// Maximum (padding never wins).
    case max
    /// Mean over the whole window, padding counted as zeros (PyTorch `count_include_pad=True`).
    case averageIncludingPadding
    /// Mean over the window's positions inside the image (PyTorch `count_include_pad=False`).
    case averageExcludingPadding

    var algorithm: dnnl_alg_kind_t {
        switch self {
        case .max: return dnnl_pooling_max
        case .averageIncludingPadding: return dnnl_pooling_avg_include_padding
        case .averageExcludingPadding: return dnnl_pooling_avg_exclude_padding
        }
    }
}

/// 2-D max/average pooling over NHWC Float32 activations with oneDNN.
///
/// Max pooling in training records the arg-max positions in a workspace that `backward` needs.
package struct Pooling2DKernel: Sendable {
    /// Sizes of the NHWC input.
    package let batch: Int, inputHeight: Int, inputWidth: Int, channels: Int
    /// Pooling window, stride, dilation and padding.
    package let window: Window2D
    /// Max or average.
    package let mode: PoolingMode
    /// Output size (floor mode).
    package let outputHeight: Int, outputWidth: Int

    /// Validates the geometry; throws a `DNNLError` naming the pooling if it is unusable.
    package init(batch: Int, inputHeight: Int, inputWidth: Int, channels: Int, window: Window2D, mode: PoolingMode) throws {
        self.batch = batch
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.channels = channels
        self.window = window
        self.mode = mode
        let name = "pooling \(window.shortDescription) \(batch)x\(channels)x\(inputHeight)x\(inputWidth)"
        if let reason = window.invalidReason { throw DNNLError(primitive: name, cause: .invalidGeometry(reason)) }
        if batch < 1 || inputHeight < 1 || inputWidth < 1 || channels < 1 {
            throw DNNLError(primitive: name, cause: .invalidGeometry("input sizes must be positive"))
        }
        (outputHeight, outputWidth) = window.outputSize(inputHeight: inputHeight, inputWidth: inputWidth)
        if outputHeight < 1 || outputWidth < 1 {
            throw DNNLError(primitive: name, cause: .invalidGeometry(
                "output would be \(outputHeight)x\(outputWidth) for input \(inputHeight)x\(inputWidth)"))
        }
    }

    /// Average over the whole image per channel (output 1x1), as in global average pooling.
    package static func globalAverage(batch: Int, height: Int, width: Int, channels: Int) throws -> Pooling2DKernel {
        try Pooling2DKernel(batch: batch, inputHeight: height, inputWidth: width, channels: channels,
                            window: Window2D(kernelHeight: height, kernelWidth: width), mode: .averageExcludingPadding)
    }

    /// Number of output activations.
    package var outputCount: Int { batch * outputHeight * outputWidth * channels }

    private enum Pass: Int { case training, inference, backward }

    private func name(_ pass: Pass) -> String {
        let modeName = mode == .max ? "max" : "average"
        let passName = pass == .backward ? "backward" : pass == .inference ? "forward inference" : "forward"
        return "\(modeName) pooling \(passName) \(window.shortDescription) \(batch)x\(channels)x\(inputHeight)x\(inputWidth)"
    }

    private func primitive(_ pass: Pass, format: ActivationFormat = .nhwc, context: DNNLContext) throws -> DNNLPrimitive {
        let key = PrimitiveKey(kind: "pooling", parameters: [batch, inputHeight, inputWidth, channels, mode.rawValue,
                                                             pass.rawValue, format.rawValue] + window.keyParameters)
        return try context.cache.plan(key) {
            let name = self.name(pass)
            let source = try format.descriptor(batch: batch, height: inputHeight, width: inputWidth, channels: channels,
                                               primitive: name)
            let destination = try format.descriptor(batch: batch, height: outputHeight, width: outputWidth,
                                                    channels: channels, primitive: name)
            let kernel = [Int64(window.kernelHeight), Int64(window.kernelWidth)]
            switch pass {
            case .training, .inference:
                let propagation = pass == .training ? dnnl_forward_training : dnnl_forward_inference
                return try DNNLPrimitive(context: context, name: name, call: "dnnl_pooling_forward_primitive_desc_create") {
                    dnnl_pooling_forward_primitive_desc_create(
                        &$0, context.engine, propagation, mode.algorithm, source.handle, destination.handle, window.dnnlStrides,
                        kernel, window.dnnlDilations, window.dnnlPaddingBegin, window.dnnlPaddingEnd, $1)
                }
            case .backward:
                let hint = try primitive(.training, context: context)
                return try DNNLPrimitive(context: context, name: name, call: "dnnl_pooling_backward_primitive_desc_create") {
                    dnnl_pooling_backward_primitive_desc_create(
                        &$0, context.engine, mode.algorithm, source.handle, destination.handle, window.dnnlStrides, kernel,
                        window.dnnlDilations, window.dnnlPaddingBegin, window.dnnlPaddingEnd, hint.descriptor, $1)
                }
            }
        }
    }

    /// Training forward pass. For max pooling returns the workspace (arg-max positions) that
    /// `backward` needs; for average pooling returns nil.
    @discardableResult
    package func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws -> AlignedBuffer? {
        try DNNLContext.withShared { context in
            let primitive = try primitive(.training, context: context)
            var arguments = [DNNLArgument(DNNL_ARG_SRC, input), DNNLArgument(DNNL_ARG_DST, output)]
            var workspace: AlignedBuffer?
            let workspaceBytes = primitive.byteCount(DNNL_ARG_WORKSPACE)
            if workspaceBytes > 0 {
                let buffer = AlignedBuffer(byteCount: workspaceBytes)
                arguments.append(DNNLArgument(DNNL_ARG_WORKSPACE, buffer.pointer))
                workspace = buffer
            }
            try primitive.execute(arguments, context: context)
            return workspace
        }
    }

    /// Inference forward pass (no workspace) on buffers in `format` (input and output alike).
    package func forwardInference(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                  format: ActivationFormat = .nhwc) throws {
        try DNNLContext.execute([DNNLArgument(DNNL_ARG_SRC, input), DNNLArgument(DNNL_ARG_DST, output)]) {
            try primitive(.inference, format: format, context: $0)
        }
    }

    /// Gradient with respect to the input, written (not accumulated). Max pooling needs the
    /// workspace its `forward` returned.
    package func backward(gradOutput: UnsafePointer<Float>, workspace: AlignedBuffer?,
                          gradInput: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.withShared { context in
            let primitive = try primitive(.backward, context: context)
            var arguments = [DNNLArgument(DNNL_ARG_DIFF_DST, gradOutput), DNNLArgument(DNNL_ARG_DIFF_SRC, gradInput)]
            let workspaceBytes = primitive.byteCount(DNNL_ARG_WORKSPACE)
            if workspaceBytes > 0 {
                guard let workspace, workspace.byteCount >= workspaceBytes else {
                    throw DNNLError(primitive: name(.backward), cause: .invalidGeometry(
                        "max pooling backward needs the \(workspaceBytes)-byte workspace returned by forward"))
                }
                arguments.append(DNNLArgument(DNNL_ARG_WORKSPACE, workspace.pointer))
            }
            try primitive.execute(arguments, context: context)
        }
    }
}
