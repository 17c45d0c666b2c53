internal import CDNNL

/// `c = op(a) · op(b)` for row-major FP32 buffers, computed by oneDNN's matmul primitive on bf16
/// copies of `a` and `b` with FP32 accumulation and output: the matrix products of
/// `ComputePrecision.bf16` (`Gemm.multiply(..., precision: .bf16)`); on copies made beforehand it may
/// also add an FP32 bias and write bf16 (`geluMLP`'s hidden activations). `op` transposes when asked
/// (the stored matrix is then `k x m` / `n x k`). The copies are made on every call, through the
/// context's temporary buffers, by the plan's reorders, or beforehand by the caller (`BFloat16Copy`).
///
/// The primitive reads both operands as they are stored, transposed or not (oneDNN's brgemm matmul
/// copies blocks of them as it goes). Left to choose (`format_tag_any`), it wanted `b` in a blocked
/// layout and `a` untransposed, so every pointwise convolution's bf16 backward weights first
/// reordered both whole operands through the temporary buffers: 60 MiB of EfficientNet-Lite0's
/// peak memory at batch 16 (AMD EPYC Zen 4, 2026-12-06: training-benchmark's peak 1,312 → 1,250 MiB),
/// and 68 reorders a step (34 products), with `brg:avx512_core_bf16` running them either way.
enum BFloat16MatrixProduct {
    /// FP32 operands, converted by the plan's reorders on every call.
    /// - Throws: `DNNLError` naming the product when oneDNN cannot run it (no native bf16 here).
    static func multiply(_ a: UnsafePointer<Float>, transposingA: Bool, _ b: UnsafePointer<Float>, transposingB: Bool,
                         into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) throws {
        try run(a, transposingA: transposingA, b, transposingB: transposingB, operands: .float32, bias: nil,
                into: c, .float32, m: m, n: n, k: k)
    }

    /// Operands converted beforehand (`a` holds `m * k` values, `b` `k * n`): nothing is converted
    /// to bf16 (a transposed operand, or weights in a blocked layout, are still reordered). With a
    /// `bias` (`n` FP32 values), `c = op(a) · op(b) + bias`, added by the primitive as it writes.
    /// - Throws: as `multiply(_:transposingA:_:transposingB:into:m:n:k:)`.
    static func multiply(_ a: BFloat16Copy, transposingA: Bool, _ b: BFloat16Copy, transposingB: Bool,
                         bias: UnsafePointer<Float>? = nil, into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) throws {
        precondition(a.count == m * k && b.count == k * n, "BFloat16MatrixProduct: operands of other sizes than m, n, k")
        try run(a.pointer, transposingA: transposingA, b.pointer, transposingB: transposingB, operands: .bfloat16, bias: bias,
                into: c, .float32, m: m, n: n, k: k)
    }

    /// The same, written as bf16 (`c` holds `m * n` values): the accumulation and the bias stay FP32,
    /// each output is rounded once as it is stored (an activation that the next product reads in
    /// bf16 anyway, never written as FP32). With `factors` (`m * n` bf16 values), each output is
    /// multiplied by its factor before it is rounded, `c = (op(a) · op(b)) ⊙ factors` (a gradient
    /// times an activation's slope, `geluMLP`).
    /// - Throws: as `multiply(_:transposingA:_:transposingB:into:m:n:k:)`.
    static func multiply(_ a: BFloat16Copy, transposingA: Bool, _ b: BFloat16Copy, transposingB: Bool,
                         bias: UnsafePointer<Float>? = nil, multiplying factors: BFloat16Copy? = nil, into c: BFloat16Copy,
                         m: Int, n: Int, k: Int) throws {
        precondition(a.count == m * k && b.count == k * n && c.count == m * n && (factors?.count ?? m * n) == m * n,
                     "BFloat16MatrixProduct: operands of other sizes than m, n, k")
        try run(a.pointer, transposingA: transposingA, b.pointer, transposingB: transposingB, operands: .bfloat16, bias: bias,
                factors: factors?.pointer, into: c.mutablePointer, .bfloat16, m: m, n: n, k: k)
    }

    /// The execution argument of the factors: source 1 of the first post-op.
    private static let factorsArgument = DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1

    private static func run(_ a: UnsafeRawPointer, transposingA: Bool, _ b: UnsafeRawPointer, transposingB: Bool,
                            operands: KernelElementType, bias: UnsafePointer<Float>?, factors: UnsafeRawPointer? = nil,
                            into c: UnsafeMutableRawPointer, _ output: KernelElementType, m: Int, n: Int, k: Int) throws {
        try DNNLContext.withShared { context in
            let key = PrimitiveKey(kind: "matmul bf16",
                                   parameters: [m, n, k, transposingA ? 1 : 0, transposingB ? 1 : 0, operands.rawValue,
                                                bias == nil ? 0 : 1, output.rawValue, factors == nil ? 0 : 1])
            let plan = try context.cache.plan(key) {
                try makePlan(transposingA: transposingA, transposingB: transposingB, operands: operands, hasBias: bias != nil,
                             hasFactors: factors != nil, output: output, m: m, n: n, k: k, context: context)
            }
            var arguments: [PlanArgument] = [.input(DNNL_ARG_SRC, a), .input(DNNL_ARG_WEIGHTS, b), .output(DNNL_ARG_DST, c)]
            if let bias { arguments.append(.input(DNNL_ARG_BIAS, bias)) }
            if let factors { arguments.append(.input(factorsArgument, factors)) }
            try plan.run(arguments, context: context)
        }
    }

    /// The plan reading the caller's operands of type `operands` (reordered to bf16 when FP32), an
    /// FP32 bias `[1, n]` and bf16 factors `[m, n]` (a multiplying post-op) if asked, and writing
    /// `output`'s type.
    private static func makePlan(transposingA: Bool, transposingB: Bool, operands: KernelElementType, hasBias: Bool,
                                 hasFactors: Bool = false, output: KernelElementType, m: Int, n: Int, k: Int,
                                 context: DNNLContext) throws -> PrimitivePlan {
        let name = "matrix product \(m)x\(k) · \(k)x\(n)\(transposingA ? " (a transposed)" : "")"
            + "\(transposingB ? " (b transposed)" : "")\(hasBias ? " + bias" : "")\(hasFactors ? " times bf16 factors" : "") in bf16"
            + "\(output == .bfloat16 ? " to bf16" : "")"
        try ComputePrecision.bf16.checkSupported(primitive: name)
        let userA = try MemoryDescriptor.make([m, k], transposingA ? dnnl_ba : dnnl_ab, elementType: operands, primitive: name)
        let userB = try MemoryDescriptor.make([k, n], transposingB ? dnnl_ba : dnnl_ab, elementType: operands, primitive: name)
        let destination = try MemoryDescriptor.make([m, n], dnnl_ab, elementType: output, primitive: name)
        let source = try MemoryDescriptor.make([m, k], transposingA ? dnnl_ba : dnnl_ab, elementType: .bfloat16, primitive: name)
        let weights = try MemoryDescriptor.make([k, n], transposingB ? dnnl_ba : dnnl_ab, elementType: .bfloat16, primitive: name)
        let bias = hasBias ? try MemoryDescriptor.make([1, n], dnnl_ab, primitive: name) : nil
        let factors = hasFactors ? [DNNLPostOp.multiply(try MemoryDescriptor.make([m, n], dnnl_ab, elementType: .bfloat16,
                                                                                 primitive: name))] : []
        let primitive = try DNNLPrimitive(postOps: factors, context: context, name: name,
                                          call: "dnnl_matmul_primitive_desc_create") {
            dnnl_matmul_primitive_desc_create(&$0, context.engine, source.handle, weights.handle, bias?.handle ?? nil,
                                              destination.handle, $1)
        }
        var layouts: [Int32: (descriptor: MemoryDescriptor, isOutput: Bool)] = [
            DNNL_ARG_SRC: (userA, false), DNNL_ARG_WEIGHTS: (userB, false), DNNL_ARG_DST: (destination, true)]
        if let bias { layouts[DNNL_ARG_BIAS] = (bias, false) }
        return try PrimitivePlan(primitive: primitive, userLayouts: layouts, context: context)
    }
}
