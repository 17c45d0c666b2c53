internal import CDNNL

/// The precision the engine computes convolutions in: FP32 throughout, or bf16 mixed precision.
///
/// With `.bf16`, every convolution and transposed convolution (forward, backward data, backward
/// weights) reads its activations, weights and output gradients as bfloat16 (8-bit mantissa) and
/// accumulates and writes FP32: the tensors, the master weights, the optimizer state, the loss,
/// softmax, normalizations and every other operation stay FP32, as in the usual mixed-precision
/// recipe. oneDNN converts at each convolution's boundary (one FP32→bf16 reorder per input, the
/// weights' copy cached while their `WeightsVersion` is unchanged). The depthwise and pointwise
/// backward-weights kernels of the engine's own (`DepthwiseBackwardWeights`, `dnnl_sgemm`
/// products) and matrix products stay FP32.
///
/// The precision is a task-local value read when an operation creates its kernel: run a forward
/// pass inside `ComputePrecision.$current.withValue(.bf16) { ... }` and its recorded backward
/// pass follows it. bf16 needs a CPU that computes it natively (`isSupportedHere`); it is never
/// emulated.
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
        guard self == .bf16 else { return nil }
        let isa = dnnl_get_effective_cpu_isa()
        let native: Set<UInt32> = [dnnl_cpu_isa_avx512_core_bf16.rawValue, dnnl_cpu_isa_avx512_core_fp16.rawValue,
                                   dnnl_cpu_isa_avx512_core_amx.rawValue, dnnl_cpu_isa_avx512_core_amx_fp16.rawValue]
        if native.contains(isa.rawValue) { return nil }
        return "a CPU with native bf16 instructions (avx512_core_bf16 or AMX); oneDNN runs "
            + "\(OneDNNLibrary.instructionSet) here, and bf16 is never emulated: use fp32"
    }
}
