import COpenBLAS

/// Matrix products through OpenBLAS `cblas_sgemm` (row-major), using both cores.
enum Gemm {
    /// Sets OpenBLAS to the machine's two cores, once.
    private static let configured: Void = { openblas_set_num_threads(Int32(Parallel.workerCount)) }()

    /// `c = op(a) * op(b) + (accumulate ? c : 0)` for row-major `op(a)` of `m x k` and
    /// `op(b)` of `k x n`, `op` transposing when asked (the stored matrix is then `k x m` / `n x k`).
    static func multiply(_ a: UnsafePointer<Float>, transposingA: Bool, _ b: UnsafePointer<Float>, transposingB: Bool,
                         into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, accumulate: Bool = false) {
        _ = configured
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { c.update(repeating: 0, count: m * n) }
            return
        }
        cblas_sgemm(CblasRowMajor, transposingA ? CblasTrans : CblasNoTrans, transposingB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(transposingA ? m : k), b, Int32(transposingB ? k : n),
                    accumulate ? 1 : 0, c, Int32(n))
    }
}

/// The matrix product over the last two axes.
///
/// Supported: `[..., m, k] x [k, n]` (the leading axes of `lhs` are folded into the rows, as
/// for a batch of inputs times a weight) and `[b..., m, k] x [b..., k, n]` with equal batch axes.
public func matmul(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
    let operation = "matmul"
    guard lhs.rank >= 2, rhs.rank >= 2, lhs.shape[lhs.rank - 1] == rhs.shape[rhs.rank - 2],
          rhs.rank == 2 || lhs.shape.dropLast(2) == rhs.shape.dropLast(2) else {
        Tensor.fail(.shapeMismatch(operation: operation, lhs: lhs.shape, rhs: rhs.shape))
    }
    let k = rhs.shape[rhs.rank - 2], n = rhs.shape[rhs.rank - 1]
    let sharedRight = rhs.rank == 2
    let batches = sharedRight ? 1 : lhs.shape.dropLast(2).reduce(1, *)
    let m = sharedRight ? lhs.scalarCount / Swift.max(k, 1) : lhs.shape[lhs.rank - 2]
    let output = Tensor(uninitializedShape: lhs.shape.dropLast() + [n])
    withExtendedLifetime((lhs, rhs)) {
        for batch in 0..<batches {
            Gemm.multiply(lhs.storage.baseAddress + batch * m * k, transposingA: false,
                          rhs.storage.baseAddress + batch * k * n, transposingB: false,
                          into: output.storage.baseAddress + batch * m * n, m: m, n: n, k: k)
        }
    }
    guard Tensor.shouldRecord(lhs, rhs) else { return output }
    let (needsLhs, needsRhs) = (lhs.requiresGradient, rhs.requiresGradient)
    let left = lhs.detached(), right = rhs.detached()
    return output.recording(operation, inputs: [lhs, rhs]) { gradient in
        let lhsGradient = needsLhs ? Tensor(uninitializedShape: left.shape) : nil
        let rhsGradient = needsRhs ? Tensor(uninitializedShape: right.shape) : nil
        withExtendedLifetime((gradient, left, right)) {
            for batch in 0..<batches {
                let g = gradient.storage.baseAddress + batch * m * n
                if let result = lhsGradient {   // dL/dA = G * B^T
                    Gemm.multiply(g, transposingA: false, right.storage.baseAddress + batch * k * n, transposingB: true,
                                  into: result.storage.baseAddress + batch * m * k, m: m, n: k, k: n)
                }
                if let result = rhsGradient {   // dL/dB = A^T * G
                    Gemm.multiply(left.storage.baseAddress + batch * m * k, transposingA: true, g, transposingB: false,
                                  into: result.storage.baseAddress + batch * k * n, m: k, n: n, k: m)
                }
            }
        }
        return [lhsGradient, rhsGradient]
    }
}

/// The affine map `input x weight + bias` for `input [..., in]`, `weight [in, out]` and
/// `bias [out]`.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    let product = matmul(input, weight)
    guard let bias else { return product }
    guard bias.shape == [weight.shape[weight.rank - 1]] else {
        Tensor.fail(.shapeMismatch(operation: "linear (weight, bias)", lhs: weight.shape, rhs: bias.shape))
    }
    return product + bias
}
