/// The product `lhs × rhsᵀ` for `lhs [..., k]` and a matrix `rhs [n, k]`, giving `[..., n]`.
///
/// This is PyTorch's `F.linear` without bias: the `[out, in]` weight is read in place through
/// sgemm's transpose flag, so no transposed copy is made in the forward or backward pass. Under
/// `ComputePrecision.bf16` the three products read bf16 copies (`BFloat16MatrixProduct`).
public func matmul(_ lhs: Tensor, transposing rhs: Tensor) -> Tensor {
    let operation = "matmul(_:transposing:)"
    guard lhs.rank >= 1, rhs.rank == 2, lhs.shape[lhs.rank - 1] == rhs.shape[1] else {
        Tensor.fail(.shapeMismatch(operation: operation, lhs: lhs.shape, rhs: rhs.shape))
    }
    let n = rhs.shape[0], k = rhs.shape[1]
    let m = k == 0 ? lhs.shape.dropLast().reduce(1, *) : lhs.scalarCount / k
    let output = Tensor(uninitializedShape: lhs.shape.dropLast() + [n])
    let precision = ComputePrecision.current  // the backward pass's products follow the forward's
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
