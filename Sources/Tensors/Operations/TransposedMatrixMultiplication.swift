/// The product `lhs × rhsᵀ` for `lhs [..., k]` and a matrix `rhs [n, k]`, giving `[..., n]`.
///
/// This is PyTorch's `F.linear` without bias: the `[out, in]` weight is read in place through
/// sgemm's transpose flag, so no transposed copy is made in the forward or backward pass. Under
/// `ComputePrecision.bf16` the three products read bf16 copies (`BFloat16MatrixProduct`), each
/// operand and the output gradient converted once, and the backward pass keeps the operands' bf16
/// copies instead of their FP32 tensors.
public func matmul(_ lhs: Tensor, transposing rhs: Tensor) -> Tensor {
    let operation = "matmul(_:transposing:)"
    guard lhs.rank >= 1, rhs.rank == 2, lhs.shape[lhs.rank - 1] == rhs.shape[1] else {
        Tensor.fail(.shapeMismatch(operation: operation, lhs: lhs.shape, rhs: rhs.shape))
    }
    let n = rhs.shape[0], k = rhs.shape[1]
    let m = k == 0 ? lhs.shape.dropLast().reduce(1, *) : lhs.scalarCount / k
    let output = Tensor(uninitializedShape: lhs.shape.dropLast() + [n])
    let precision = ComputePrecision.current  // the backward pass's products follow the forward's
    if precision == .bf16 && m > 0 && n > 0 && k > 0 {
        return bfloat16Product(lhs, transposing: rhs, into: output, m: m, n: n, k: k)
    }
    withExtendedLifetime((lhs, rhs)) {
        Gemm.multiply(lhs.storage.baseAddress, transposingA: false, rhs.storage.baseAddress, transposingB: true,
                      into: output.storage.baseAddress, m: m, n: n, k: k, precision: precision)
    }
    return output.recordingProduct(operation, lhs: lhs, rhs: rhs) { gradient, left, right, lhsGradient, rhsGradient in
        if let result = lhsGradient {   // dL/dA = G * B        ([m, n] x [n, k])
            Gemm.multiply(gradient.storage.baseAddress, transposingA: false, right.storage.baseAddress, transposingB: false,
                          into: result.storage.baseAddress, m: m, n: k, k: n, precision: precision)
        }
        if let result = rhsGradient {   // dL/dB = G^T * A      ([n, m] x [m, k])
            Gemm.multiply(gradient.storage.baseAddress, transposingA: true, left.storage.baseAddress, transposingB: false,
                          into: result.storage.baseAddress, m: n, n: k, k: m, precision: precision)
        }
    }
}

/// `matmul(_:transposing:)` in bf16 (`m`, `n`, `k` > 0): `lhs` (`m x k`) and `rhs` (`n x k`) are
/// converted once; the backward pass converts the output gradient once, for both products, and
/// holds only the bf16 copies it needs (`rhs`'s for the input gradient, `lhs`'s for the weight's).
private func bfloat16Product(_ lhs: Tensor, transposing rhs: Tensor, into output: Tensor, m: Int, n: Int, k: Int) -> Tensor {
    let operation = "matmul(_:transposing:) in bf16"
    let (left, right) = Tensor.kernelCall(operation) {
        (try BFloat16Copy(of: lhs.kernelInput, count: m * k), try BFloat16Copy(of: rhs.kernelInput, count: n * k))
    }
    Tensor.kernelCall(operation) {
        try BFloat16MatrixProduct.multiply(left, transposingA: false, right, transposingB: true, into: output.kernelOutput,
                                           m: m, n: n, k: k)
    }
    guard Tensor.shouldRecord(lhs, rhs) else { return output }
    let savedLeft = rhs.requiresGradient ? left : nil, savedRight = lhs.requiresGradient ? right : nil
    let lhsShape = lhs.shape, rhsShape = rhs.shape
    return output.recording(operation, inputs: [lhs, rhs]) { gradient in
        let g = Tensor.kernelCall(operation) { try BFloat16Copy(of: gradient.kernelInput, count: m * n) }
        var lhsGradient: Tensor?, rhsGradient: Tensor?
        if let savedRight {   // dL/dA = G * B        ([m, n] x [n, k])
            let result = Tensor(uninitializedShape: lhsShape)
            Tensor.kernelCall(operation) {
                try BFloat16MatrixProduct.multiply(g, transposingA: false, savedRight, transposingB: false,
                                                   into: result.kernelOutput, m: m, n: k, k: n)
            }
            lhsGradient = result
        }
        if let savedLeft {    // dL/dB = G^T * A      ([n, m] x [m, k])
            let result = Tensor(uninitializedShape: rhsShape)
            Tensor.kernelCall(operation) {
                try BFloat16MatrixProduct.multiply(g, transposingA: true, savedLeft, transposingB: false,
                                                   into: result.kernelOutput, m: n, n: k, k: m)
            }
            rhsGradient = result
        }
        return [lhsGradient, rhsGradient]
    }
}
