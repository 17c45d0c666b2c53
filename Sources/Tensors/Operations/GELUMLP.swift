/// A two-layer perceptron with a GELU between, ConvNeXt's block MLP: `x [..., inFeatures]` →
/// `gelu(x · expandWeightᵀ + expandBias) · projectWeightᵀ + projectBias`, `[..., outFeatures]`, with
/// PyTorch's `Linear` layouts: `expandWeight [hidden, inFeatures]`, `expandBias [hidden]`,
/// `projectWeight [outFeatures, hidden]`, `projectBias [outFeatures]`.
///
/// In FP32 it is those operations one after the other (`matmul(_:transposing:)`, `Tensor.addingBias`,
/// `gelu`), so the floats and gradients are theirs. Under `ComputePrecision.bf16` it is one operation
/// that keeps the hidden activations (`[..., hidden]`, 4x the channels in ConvNeXt) in bf16 between
/// its kernels, as PyTorch's autocast does, where the operations one by one would write each as FP32
/// and convert it for the next product: the expanding product adds its bias and writes bf16, the
/// GELU reads and writes bf16, and the projecting product reads that and writes the FP32 output.
/// Recorded, the GELU pass also writes its slope `gelu'(h)` in bf16 (`BFloat16GELU`, in Swift), and
/// the backward pass's product `G · W₂` multiplies each hidden gradient by it as it writes it (a
/// oneDNN post-op, FP32 inside, rounded once to bf16): the expanding product's output gradient, whose
/// column sums (FP32 accumulation) are the expanding bias's gradient, without a GELU backward pass
/// (oneDNN's read the pre-activation and the gradient and computed `Φ` and `φ` again: 0.16 s of a
/// 1.5 s ConvNeXt-Tiny bf16 step, AMD EPYC Zen 4). Unrecorded, the GELU is oneDNN's (FP32 inside).
/// In ConvNeXt-Tiny's training step at batch 16 that is 137 M hidden values a pass, which the
/// separate operations wrote as FP32 six times (product, bias, GELU, and backward the product,
/// GELU, and each conversion to bf16).
public func geluMLP(_ x: Tensor, expandWeight: Tensor, expandBias: Tensor, projectWeight: Tensor, projectBias: Tensor) -> Tensor {
    let operation = "geluMLP"
    let inFeatures = x.shape.last ?? 0, hidden = expandWeight.shape.first ?? 0, outFeatures = projectWeight.shape.first ?? 0
    guard x.rank >= 1, expandWeight.shape == [hidden, inFeatures], expandBias.shape == [hidden],
          projectWeight.shape == [outFeatures, hidden], projectBias.shape == [outFeatures] else {
        Tensor.fail(.invalidArgument(operation: operation, message: "x \(x.shape), expandWeight \(expandWeight.shape), "
            + "expandBias \(expandBias.shape), projectWeight \(projectWeight.shape), projectBias \(projectBias.shape): "
            + "expected [..., in], [hidden, in], [hidden], [out, hidden], [out]"))
    }
    let rows = inFeatures == 0 ? 0 : x.scalarCount / inFeatures
    guard ComputePrecision.current == .bf16, rows > 0, inFeatures > 0, hidden > 0, outFeatures > 0 else {
        let activated = gelu(.addingBias(expandBias, to: matmul(x, transposing: expandWeight)))
        return .addingBias(projectBias, to: matmul(activated, transposing: projectWeight))
    }
    return BFloat16GELUMLP(rows: rows, inFeatures: inFeatures, hidden: hidden, outFeatures: outFeatures)
        .callAsFunction(x, expandWeight: expandWeight, expandBias: expandBias, projectWeight: projectWeight,
                        projectBias: projectBias)
}

/// `geluMLP` under bf16, for `rows` rows of `inFeatures` values, `hidden` and `outFeatures` > 0.
private struct BFloat16GELUMLP {
    let rows: Int, inFeatures: Int, hidden: Int, outFeatures: Int
    private let operation = "geluMLP in bf16"

    func callAsFunction(_ x: Tensor, expandWeight: Tensor, expandBias: Tensor, projectWeight: Tensor,
                        projectBias: Tensor) -> Tensor {
        let (input, expand, project) = Tensor.kernelCall(operation) {
            (try BFloat16Copy(of: x.kernelInput, count: rows * inFeatures),
             try BFloat16Copy(of: expandWeight.kernelInput, count: hidden * inFeatures),
             try BFloat16Copy(of: projectWeight.kernelInput, count: outFeatures * hidden))
        }
        let inputs = [x, expandWeight, expandBias, projectWeight, projectBias]
        let recorded = Tensor.shouldRecord(inputs)
        let needs = inputs.map { recorded && $0.requiresGradient }
        let needsHiddenGradient = needs[0] || needs[1] || needs[2]
        let preActivation = BFloat16Copy(uninitializedCount: rows * hidden)
        let activated = BFloat16Copy(uninitializedCount: rows * hidden)
        // The GELU's slope, where the backward pass needs the hidden gradient.
        let slope = needsHiddenGradient ? BFloat16Copy(uninitializedCount: rows * hidden) : nil
        let output = Tensor(uninitializedShape: x.shape.dropLast() + [outFeatures])
        withExtendedLifetime((expandBias, projectBias)) {
            Tensor.kernelCall(operation) {
                try BFloat16MatrixProduct.multiply(input, transposingA: false, expand, transposingB: true,
                                                   bias: expandBias.kernelInput, into: preActivation,
                                                   m: rows, n: hidden, k: inFeatures)
                if let slope {
                    BFloat16GELU.forward(preActivation.pointer, activated: activated.mutablePointer,
                                         slope: slope.mutablePointer, count: rows * hidden)
                } else {
                    try EltwiseKernel(.gelu, count: rows * hidden, elementType: .bfloat16)
                        .forward(from: preActivation.pointer, to: activated.mutablePointer)
                }
                try BFloat16MatrixProduct.multiply(activated, transposingA: false, project, transposingB: true,
                                                   bias: projectBias.kernelInput, into: output.kernelOutput,
                                                   m: rows, n: outFeatures, k: hidden)
            }
        }
        guard recorded else { return output }
        // What the backward pass reads, and nothing more: the GELU's slope, the activations for the
        // projecting weights' gradient, the input for the expanding weights'.
        let saved = (input: needs[1] ? input : nil, expand: needs[0] ? expand : nil,
                     project: needsHiddenGradient ? project : nil, slope: slope, activated: needs[3] ? activated : nil)
        let (xShape, expandShape, projectShape) = (x.shape, expandWeight.shape, projectWeight.shape)
        return output.recording(operation, inputs: inputs) { gradient in
            var gradients = [Tensor?](repeating: nil, count: 5)
            Tensor.kernelCall(operation) {
                let g = try BFloat16Copy(of: gradient.kernelInput, count: rows * outFeatures)
                if let activated = saved.activated {   // [out, hidden] = Gᵀ · A
                    let result = Tensor(uninitializedShape: projectShape)
                    try BFloat16MatrixProduct.multiply(g, transposingA: true, activated, transposingB: false,
                                                       into: result.kernelOutput, m: outFeatures, n: hidden, k: rows)
                    gradients[3] = result
                }
                if needs[4] { gradients[4] = gradient.summed(toShape: [outFeatures]) }
                guard let project = saved.project, let slope = saved.slope else { return }
                let hiddenGradient = BFloat16Copy(uninitializedCount: rows * hidden)   // [rows, hidden] = (G · W₂) ⊙ gelu'(h)
                try BFloat16MatrixProduct.multiply(g, transposingA: false, project, transposingB: false, multiplying: slope,
                                                   into: hiddenGradient, m: rows, n: hidden, k: outFeatures)
                if let expand = saved.expand {   // [rows, in] = H · W₁
                    let result = Tensor(uninitializedShape: xShape)
                    try BFloat16MatrixProduct.multiply(hiddenGradient, transposingA: false, expand, transposingB: false,
                                                       into: result.kernelOutput, m: rows, n: inFeatures, k: hidden)
                    gradients[0] = result
                }
                if let input = saved.input {   // [hidden, in] = Hᵀ · X
                    let result = Tensor(uninitializedShape: expandShape)
                    try BFloat16MatrixProduct.multiply(hiddenGradient, transposingA: true, input, transposingB: false,
                                                       into: result.kernelOutput, m: hidden, n: inFeatures, k: rows)
                    gradients[1] = result
                }
                if needs[2] {
                    let result = Tensor(uninitializedShape: [hidden])
                    hiddenGradient.columnSums(rows: rows, columns: hidden, into: result.kernelOutput)
                    gradients[2] = result
                }
            }
            return gradients
        }
    }
}
