/// Shared plumbing of the operations that run oneDNN kernels (convolutions, pooling,
/// normalizations, activations).
extension Tensor {
    /// The result of a kernel call. Kernels only fail on geometries the operation let through
    /// (a programmer error, like a shape mismatch), so a failure stops with the kernel's message.
    static func kernelCall<Result>(_ operation: String, _ body: () throws -> Result) -> Result {
        do {
            return try body()
        } catch {
            fail(.invalidArgument(operation: operation, message: "\(error)"))
        }
    }

    /// The first element, for kernels that read this tensor (keep the tensor alive meanwhile).
    var kernelInput: UnsafePointer<Float> { UnsafePointer(storage.baseAddress) }

    /// The first element of a tensor a kernel is about to fill (fresh, so not shared).
    var kernelOutput: UnsafeMutablePointer<Float> { storage.baseAddress }

    /// Stops unless this tensor is NHWC activations `[batch, height, width, channels]`.
    func checkNHWC(_ operation: String) {
        guard rank == 4, shape.allSatisfy({ $0 > 0 }) else {
            Tensor.fail(.invalidShape(operation: operation, shape: shape, expected: "non-empty [batch, height, width, channels]"))
        }
    }
}

/// The kernel interface shared by `Convolution2DKernel` and `TransposedConvolution2DKernel`.
protocol WeightedWindowKernel {
    var primitives: ConvolutionPrimitives { get }
}

extension Convolution2DKernel: WeightedWindowKernel {}
extension TransposedConvolution2DKernel: WeightedWindowKernel {}

extension Tensor {
    /// Runs a (transposed) convolution forward and records its backward pass: input gradient by
    /// backward-data, weight and bias gradients by one backward-weights call, each only if needed
    /// (`WeightedWindowPass`).
    static func weightedWindow(_ operation: String, input: Tensor, weight: Tensor, bias: Tensor?,
                               weightsVersion: WeightsVersion?, activation: Activation? = nil,
                               makeKernel: () throws -> some WeightedWindowKernel) -> Tensor {
        let kernel = kernelCall(operation, makeKernel).primitives
        let inputs = [input, weight] + (bias.map { [$0] } ?? [])
        let recorded = shouldRecord(inputs)
        let pass = WeightedWindowPass(operation, kernel: kernel, input: .tensor(input), weight: weight, bias: bias,
                                      weightsVersion: weightsVersion, activation: activation,
                                      needs: recorded ? (input.requiresGradient, weight.requiresGradient,
                                                         bias?.requiresGradient ?? false) : nil)
        guard let backward = pass.backward else { return pass.output }
        return pass.output.recording(operation, inputs: inputs) { outputGradient in
            let gradients = backward(consume outputGradient)
            return [gradients.input, gradients.weight] + (bias == nil ? [] : [gradients.bias])
        }
    }
}

/// A (transposed) convolution's forward pass, run, and its backward pass as a function of the
/// output's gradient (`Tensor.weightedWindow`, and `batchNormConv2d`, whose input is a bf16 buffer
/// that no tensor holds).
///
/// When the kernel computes in bf16, the input and the output gradient are each converted to
/// bf16 once (`ConvolutionOperand`), and the backward pass holds the input's bf16 copy (so does
/// a depthwise kernel made under bf16, which computes in FP32: `savedInputElementType`).
/// An `activation` whose gradient the output gives (`Activation.backwardUsesOutput`) runs as the
/// forward pass's post-op, and the backward pass first turns the output gradient into the
/// pre-activation's with the derivative read off the output (oneDNN's `use_dst_for_bwd` eltwise
/// backward: ReLU's mask, the sigmoid's y (1 - y)): the values and gradients of the separate
/// activation without its forward pass or its pre-activation buffer.
struct WeightedWindowPass {
    /// What the forward pass reads: a tensor, or bf16 values of `shape` (NHWC) for a kernel that
    /// computes in bf16, whose gradient the backward pass then writes as bf16 too.
    enum Input {
        case tensor(Tensor)
        case bfloat16(BFloat16Copy, shape: [Int])
    }

    /// The gradients the backward pass hands back (nil where not needed): the input's as a tensor,
    /// or in bf16 for a bf16 `Input`.
    typealias Gradients = (input: Tensor?, inputInBF16: BFloat16Copy?, weight: Tensor?, bias: Tensor?)

    /// `[batch, outputHeight, outputWidth, outputChannels]`.
    let output: Tensor
    /// nil when nothing is recorded. It may write over the output gradient it is handed where
    /// nothing else holds its storage.
    let backward: ((consuming Tensor) -> Gradients)?

    /// Runs the forward pass; `needs` (which gradients the backward pass makes) nil records nothing.
    init(_ operation: String, kernel: ConvolutionPrimitives, input: Input, weight: Tensor, bias: Tensor?,
         weightsVersion: WeightsVersion?, activation: Activation?,
         needs: (input: Bool, weight: Bool, bias: Bool)?) {
        precondition(activation?.backwardUsesOutput ?? true, "\(operation): \(activation!) needs its input for its gradient")
        let geometry = kernel.geometry
        let reduced = kernel.precision == .bf16
        /// `tensor`'s values as the kernel reads them: a bf16 copy when it computes in bf16.
        func operand(_ tensor: Tensor, keepingFloat32: Bool) -> ConvolutionOperand {
            guard reduced else { return .float32(tensor.kernelInput) }
            let copy = Tensor.kernelCall(operation) { try BFloat16Copy(of: tensor.kernelInput, count: tensor.scalarCount) }
            return .bfloat16(copy, float32: keepingFloat32 ? tensor.kernelInput : nil)
        }
        let output = Tensor(uninitializedShape: [geometry.batch, kernel.outputHeight, kernel.outputWidth, geometry.outputChannels])
        let inputOperand: ConvolutionOperand, inputShape: [Int], inputTensor: Tensor?
        switch input {
        case .tensor(let tensor):
            (inputOperand, inputShape, inputTensor) = (operand(tensor, keepingFloat32: false), tensor.shape, tensor)
        case .bfloat16(let copy, let shape):
            precondition(reduced && copy.count == shape.reduce(1, *), "\(operation): bf16 input for an FP32 kernel")
            (inputOperand, inputShape, inputTensor) = (.bfloat16(copy, float32: nil), shape, nil)
        }
        let inputCopy: BFloat16Copy? = if case .bfloat16(let copy, _) = inputOperand { copy } else { nil }
        withExtendedLifetime(inputTensor) {
            Tensor.kernelCall(operation) {
                try kernel.forward(.forwardTraining, activation: activation, input: inputOperand, weights: weight.kernelInput,
                                   weightsVersion: weightsVersion, bias: bias?.kernelInput, output: output.kernelOutput)
            }
        }
        self.output = output
        guard let needs else {
            backward = nil
            return
        }
        let needsWeightPass = needs.weight || needs.bias
        // What backward weights reads: the input's bf16 copy (made here for an FP32 kernel that
        // keeps one, `savedInputElementType`), or the input.
        let savedInput: (tensor: Tensor?, copy: BFloat16Copy?)?
        if !needsWeightPass {
            savedInput = nil
        } else if let inputCopy {
            savedInput = (nil, inputCopy)
        } else if kernel.savedInputElementType == .bfloat16, let inputTensor {
            savedInput = (nil, Tensor.kernelCall(operation) {
                try BFloat16Copy(of: inputTensor.kernelInput, count: inputTensor.scalarCount)
            })
        } else {
            savedInput = (inputTensor!.detached(), nil)
        }
        let savedWeight = needs.input ? weight.detached() : nil
        let weightShape = weight.shape, gradientInBF16 = inputTensor == nil
        // The fused activation's kernel and the output its gradient reads (only then kept for the backward pass).
        let fusedActivation = activation.map { activation in
            (kernel: Tensor.kernelCall(operation) { try EltwiseKernel(activation, count: output.scalarCount) }, output: output)
        }
        backward = { (outputGradient: consuming Tensor) in
            // The gradient of the pre-activation: the output gradient where the activation passes it,
            // written over the output gradient when nothing else holds its storage (no third
            // activation-sized buffer beside it and the input gradient), else into a new one.
            var gradient = consume outputGradient
            if let fusedActivation {
                let masked = isKnownUniquelyReferenced(&gradient.storage) ? gradient : Tensor(uninitializedShape: gradient.shape)
                Tensor.kernelCall(operation + " activation backward") {
                    try fusedActivation.kernel.backward(gradOutput: gradient.kernelInput, saved: fusedActivation.output.kernelInput,
                                                        gradInput: masked.kernelOutput)
                }
                gradient = masked
            }
            let gradientOperand = operand(gradient, keepingFloat32: true)
            var weightGradient: Tensor?, biasGradient: Tensor?
            if let savedInput {
                let weights = Tensor(uninitializedShape: weightShape)
                let biases = geometry.hasBias ? Tensor(uninitializedShape: [geometry.outputChannels]) : nil
                Tensor.kernelCall(operation + " backward weights") {
                    // An FP32 kernel's bf16 copy, back as FP32 values for the duration of the call.
                    var restored = savedInput.tensor
                    if !reduced, let copy = savedInput.copy {
                        let values = Tensor(uninitializedShape: inputShape)
                        try copy.restore(into: values.kernelOutput)
                        restored = values
                    }
                    try withExtendedLifetime(restored) {
                        let input: ConvolutionOperand = restored.map { .float32($0.kernelInput) }
                            ?? .bfloat16(savedInput.copy!, float32: nil)
                        try kernel.backwardWeights(input: input, gradOutput: gradientOperand,
                                                   gradWeights: weights.kernelOutput, gradBias: biases?.kernelOutput)
                    }
                }
                weightGradient = needs.weight ? weights : nil
                biasGradient = needs.bias ? biases : nil
            }
            // After the weights, so that a restored input is freed before the input gradient is made.
            var inputGradient: Tensor?, inputGradientInBF16: BFloat16Copy?
            if let savedWeight {
                Tensor.kernelCall(operation + " backward data") {
                    if gradientInBF16 {
                        let result = BFloat16Copy(uninitializedCount: inputShape.reduce(1, *))
                        try kernel.backwardData(gradOutput: gradientOperand, weights: savedWeight.kernelInput,
                                                weightsVersion: weightsVersion, gradInput: result)
                        inputGradientInBF16 = result
                    } else {
                        let result = Tensor(uninitializedShape: inputShape)
                        try kernel.backwardData(gradOutput: gradientOperand, weights: savedWeight.kernelInput,
                                                weightsVersion: weightsVersion, gradInput: result.kernelOutput)
                        inputGradient = result
                    }
                }
            }
            return (inputGradient, inputGradientInBF16, weightGradient, biasGradient)
        }
    }
}

/// The buffers of a normalization's backward kernel call (see `Tensor.recordingNormalization`).
struct NormalizationGradientBuffers {
    /// The gradient of the output (the input's shape), the saved forward input and `scale` (`[channels]`).
    let output: UnsafePointer<Float>, input: UnsafePointer<Float>, scale: UnsafePointer<Float>
    /// Where the gradients with respect to the input (its shape), `scale` and `shift` (`[channels]` each) go.
    let gradInput: UnsafeMutablePointer<Float>, gradScale: UnsafeMutablePointer<Float>, gradShift: UnsafeMutablePointer<Float>
}

extension Tensor {
    /// Records the backward pass of a normalization with per-channel `scale` and `shift` (`[channels]`
    /// each) that produced this output from `input`: `backward` runs the kernel's backward pass on
    /// the buffers it is given (fresh gradient buffers, the saved input and scale), which stay alive
    /// during the call. Only the gradients an argument needs are handed back.
    func recordingNormalization(_ operation: String, input: Tensor, scale: Tensor, shift: Tensor,
                                backward: @escaping (NormalizationGradientBuffers) throws -> Void) -> Tensor {
        let savedInput = input.detached(), savedScale = scale.detached()
        let needs = (input: input.requiresGradient, scale: scale.requiresGradient, shift: shift.requiresGradient)
        return recording(operation, inputs: [input, scale, shift]) { gradient in
            let gradInput = Tensor(uninitializedShape: savedInput.shape)
            let gradScale = Tensor(uninitializedShape: savedScale.shape), gradShift = Tensor(uninitializedShape: savedScale.shape)
            Tensor.kernelCall(operation + " backward") {
                try backward(NormalizationGradientBuffers(
                    output: gradient.kernelInput, input: savedInput.kernelInput, scale: savedScale.kernelInput,
                    gradInput: gradInput.kernelOutput, gradScale: gradScale.kernelOutput, gradShift: gradShift.kernelOutput))
            }
            return [needs.input ? gradInput : nil, needs.scale ? gradScale : nil, needs.shift ? gradShift : nil]
        }
    }
}
