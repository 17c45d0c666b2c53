internal import CDNNL

/// The precision the engine computes convolutions and matrix products in: FP32 throughout, or
/// bf16 mixed precision.
///
/// With `.bf16`, every convolution and transposed convolution (forward, backward data, backward
/// weights) but the depthwise ones, and every matrix product (`matmul`, hence `Linear`, forward and
/// backward), reads its activations, weights and output gradients as bfloat16 (8-bit significand)
/// and accumulates and writes FP32. The tensors, the master weights, the optimizer state, the loss,
/// softmax, normalizations, pooling and every element-wise operation stay FP32, as in the usual
/// mixed-precision recipe: those are memory-bound, and bf16 copies would only add traffic. (One
/// exception: `geluMLP`, an MLP as one operation, keeps its hidden activations and their gradients in
/// bf16 between its products and its GELU, as PyTorch's autocast does, since they never leave it.) Each
/// operand is converted once (`BFloat16Copy`): a convolution's input and output gradient by the
/// operation, for all its passes (`ConvolutionOperand`), whose backward pass keeps the input's bf16
/// copy; a matrix product's operands likewise; a convolution's weights once while their
/// `WeightsVersion` is unchanged. A pointwise convolution's backward weights is a bf16 matrix
/// product on those copies (`PointwiseBackwardWeights`); depthwise convolutions stay FP32
/// (`DepthwiseBackwardWeights`).
///
/// The precision is a task-local value read when an operation runs its forward pass: run it inside
/// `ComputePrecision.$current.withValue(.bf16) { ... }` and its recorded backward pass follows it.
/// bf16 needs a CPU that computes it natively (`isSupportedHere`); it is never emulated.
public enum ComputePrecision: String, Sendable, CaseIterable, Codable {
    case fp32
    case bf16

    /// The precision of the operations the current task runs.
    @TaskLocal public static var current: ComputePrecision = .fp32

    /// The element type convolutions read their inputs in.
    var inputElementType: KernelElementType {
        switch self {
        case .fp32: return .float32
        case .bf16: return .bfloat16
        }
    }

    /// Whether oneDNN computes this precision natively on this CPU (as limited by
    /// `ONEDNN_MAX_CPU_ISA`): bf16 needs AVX-512 with bf16 instructions (`avx512_core_bf16`, AMD
    /// Zen 4, Intel Cooper Lake and later) or AMX.
    public var isSupportedHere: Bool { unsupportedReason == nil }

    /// What this precision needs and this CPU lacks, naming the instruction set oneDNN runs here
    /// ("a CPU with native bf16 instructions ...; use fp32"), or nil.
    public var unsupportedReason: String? {
        self == .bf16 ? Self.bfloat16Lack : nil
    }

    /// Throws a `DNNLError` naming `primitive` when this precision cannot run here: the kernels'
    /// own guard behind the commands' earlier refusal.
    func checkSupported(primitive: String) throws {
        if let needs = unsupportedReason {
            throw DNNLError(primitive: primitive, cause: .invalidGeometry("\(rawValue) needs \(needs)"))
        }
    }

    /// What bf16 needs and this CPU lacks, or nil; asked of oneDNN once (its instruction set is fixed
    /// for the process).
    private static let bfloat16Lack: String? = {
        let native: Set<UInt32> = [dnnl_cpu_isa_avx512_core_bf16.rawValue, dnnl_cpu_isa_avx512_core_fp16.rawValue,
                                   dnnl_cpu_isa_avx512_core_amx.rawValue, dnnl_cpu_isa_avx512_core_amx_fp16.rawValue]
        if native.contains(dnnl_get_effective_cpu_isa().rawValue) { return nil }
        return "a CPU with native bf16 instructions (avx512_core_bf16 or AMX); oneDNN runs "
            + "\(OneDNNLibrary.instructionSet) here, and bf16 is never emulated: use fp32"
    }()
}
