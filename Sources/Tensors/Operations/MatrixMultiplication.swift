internal import CDNNL

/// Matrix products through oneDNN's row-major `dnnl_sgemm`.
///
/// oneDNN rather than OpenBLAS: the convolution kernels already run on oneDNN's OpenMP
/// threads, and a second thread pool (OpenBLAS's) would compete with them for the two cores.
/// Measured on 2 cores (median of 30, OpenBLAS set to 2 threads): 512x4096 x 4096x256 takes
/// 13.5 ms with oneDNN vs 14.3 ms with OpenBLAS; 64x2048 x 2048x128 0.16 ms vs 0.20 ms.
enum Gemm {
    /// `c = op(a) * op(b) + (accumulate ? c : 0)` for row-major `op(a)` of `m x k` and
    /// `op(b)` of `k x n`, `op` transposing when asked (the stored matrix is then `k x m` / `n x k`).
    /// With `precision` bf16 (which cannot accumulate) the product reads bf16 copies of `a` and `b`
    /// (`BFloat16MatrixProduct`).
    static func multiply(_ a: UnsafePointer<Float>, transposingA: Bool, _ b: UnsafePointer<Float>, transposingB: Bool,
                         into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, accumulate: Bool = false,
                         precision: ComputePrecision = .fp32) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { c.update(repeating: 0, count: m * n) }
            return
        }
        if precision == .bf16 {
            precondition(!accumulate, "Gemm.multiply: a bf16 product does not accumulate")
            Tensor.kernelCall("matmul") {
                try BFloat16MatrixProduct.multiply(a, transposingA: transposingA, b, transposingB: transposingB, into: c, m: m, n: n, k: k)
            }
            return
        }
        let noTranspose = CChar(UInt8(ascii: "N")), transpose = CChar(UInt8(ascii: "T"))
        let status = KernelProfile.measure("sgemm (matrix products, pointwise backward weights)") { dnnl_sgemm(transposingA ? transpose : noTranspose, transposingB ? transpose : noTranspose,
                                dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), 1,
                                a, dnnl_dim_t(transposingA ? m : k), b, dnnl_dim_t(transposingB ? k : n),
                                accumulate ? 1 : 0, c, dnnl_dim_t(n)) }
        guard status == dnnl_success else {
            Tensor.fail(.invalidArgument(operation: "matmul", message: "dnnl_sgemm failed with status \(status.rawValue) for m \(m), n \(n), k \(k)"))
        }
    }
}

/// The matrix product over the last two axes.
///
/// Supported: `[..., m, k] x [k, n]` (the leading axes of `lhs` are folded into the rows, as
/// for a batch of inputs times a weight) and `[b..., m, k] x [b..., k, n]` with equal batch axes.
/// Under `ComputePrecision.bf16` the products (forward and backward) read bf16 copies.
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
    let precision = ComputePrecision.current  // the backward pass's products follow the forward's
    withExtendedLifetime((lhs, rhs)) {
        for batch in 0..<batches {
            Gemm.multiply(lhs.storage.baseAddress + batch * m * k, transposingA: false,
                          rhs.storage.baseAddress + batch * k * n, transposingB: false,
                          into: output.storage.baseAddress + batch * m * n, m: m, n: n, k: k, precision: precision)
        }
    }
    return output.recordingProduct(operation, lhs: lhs, rhs: rhs) { gradient, left, right, lhsGradient, rhsGradient in
        for batch in 0..<batches {
            let g = gradient.storage.baseAddress + batch * m * n
            if let result = lhsGradient {   // dL/dA = G * B^T
                Gemm.multiply(g, transposingA: false, right.storage.baseAddress + batch * k * n, transposingB: true,
                              into: result.storage.baseAddress + batch * m * k, m: m, n: k, k: n, precision: precision)
            }
            if let result = rhsGradient {   // dL/dB = A^T * G
                Gemm.multiply(left.storage.baseAddress + batch * m * k, transposingA: true, g, transposingB: false,
                              into: result.storage.baseAddress + batch * k * n, m: k, n: n, k: m, precision: precision)
            }
        }
    }
}

extension Tensor {
    /// Records (when `lhs` or `rhs` needs it) the backward pass of the product of `lhs` and `rhs`
    /// that gave this output: `backward(gradient, lhs, rhs, lhsGradient, rhsGradient)` receives the
    /// output gradient, the saved operands and fresh buffers of the operands' shapes for the
    /// gradients it must write (nil for an operand that needs none), all alive during the call.
    func recordingProduct(_ operation: String, lhs: Tensor, rhs: Tensor,
                          backward: @escaping (_ gradient: Tensor, _ lhs: Tensor, _ rhs: Tensor,
                                               _ lhsGradient: Tensor?, _ rhsGradient: Tensor?) -> Void) -> Tensor {
        guard Tensor.shouldRecord(lhs, rhs) else { return self }
        let (needsLhs, needsRhs) = (lhs.requiresGradient, rhs.requiresGradient)
        let left = lhs.detached(), right = rhs.detached()
        return recording(operation, inputs: [lhs, rhs]) { gradient in
            let lhsGradient = needsLhs ? Tensor(uninitializedShape: left.shape) : nil
            let rhsGradient = needsRhs ? Tensor(uninitializedShape: right.shape) : nil
            withExtendedLifetime((gradient, left, right, lhsGradient, rhsGradient)) {
                backward(gradient, left, right, lhsGradient, rhsGradient)
            }
            return [lhsGradient, rhsGradient]
        }
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
