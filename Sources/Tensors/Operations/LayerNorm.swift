/// Layer normalization over the last axis with per-channel `scale` and `shift` (`[channels]`).
///
/// On NHWC activations this normalizes each pixel over its channels: ConvNeXt's LayerNorm2d
/// (PyTorch `F.layer_norm(x, (channels,))` on channels-last data).
public func layerNorm(_ input: Tensor, scale: Tensor, shift: Tensor, epsilon: Float = 1e-6) -> Tensor {
    let operation = "layerNorm"
    guard input.rank >= 1, input.scalarCount > 0 else {
        Tensor.fail(.invalidShape(operation: operation, shape: input.shape, expected: "a non-empty tensor"))
    }
    let channels = input.shape[input.rank - 1]
    for (name, tensor) in [("scale", scale), ("shift", shift)] where tensor.shape != [channels] {
        Tensor.fail(.shapeMismatch(operation: "\(operation) input and \(name)", lhs: input.shape, rhs: tensor.shape))
    }
    let kernel = Tensor.kernelCall(operation) {
        try LayerNormalizationKernel(rows: input.scalarCount / channels, channels: channels, epsilon: epsilon)
    }
    let output = Tensor(uninitializedShape: input.shape)
    guard Tensor.shouldRecord(input, scale, shift) else {
        Tensor.kernelCall(operation) {
            try kernel.forwardInference(input: input.kernelInput, scale: scale.kernelInput, shift: shift.kernelInput,
                                        output: output.kernelOutput)
        }
        return output
    }
    let mean = Tensor(uninitializedShape: [kernel.rows]), variance = Tensor(uninitializedShape: [kernel.rows])
    Tensor.kernelCall(operation) {
        try kernel.forward(input: input.kernelInput, scale: scale.kernelInput, shift: shift.kernelInput,
                           output: output.kernelOutput, mean: mean.kernelOutput, variance: variance.kernelOutput)
    }
    return output.recordingNormalization(operation, input: input, scale: scale, shift: shift) { gradient in
        try kernel.backward(gradOutput: gradient.output, input: gradient.input, scale: gradient.scale,
                            mean: mean.kernelInput, variance: variance.kernelInput, gradInput: gradient.gradInput,
                            gradScale: gradient.gradScale, gradShift: gradient.gradShift)
    }
}
