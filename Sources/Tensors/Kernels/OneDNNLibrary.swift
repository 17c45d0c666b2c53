internal import CDNNL

/// The oneDNN library the engine runs on, as it reports itself: recorded in every run and printed
/// by `leukemia --version`, so that a figure can be tied to the library and instruction set that
/// made it.
public enum OneDNNLibrary {
    /// `major.minor.patch` of the loaded library (e.g. `3.2.0`).
    public static var version: String {
        guard let version = dnnl_version()?.pointee else { return "unknown" }
        return "\(version.major).\(version.minor).\(version.patch)"
    }

    /// The widest instruction set oneDNN uses on this CPU (`avx2`, `avx512_core_bf16`, ...).
    public static var instructionSet: String {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_sse41: return "sse41"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx2_vnni_2: return "avx2_vnni_2"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_fp16: return "avx512_core_fp16"
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        case dnnl_cpu_isa_avx512_core_amx_fp16: return "avx512_core_amx_fp16"
        case let other: return "isa 0x\(String(other.rawValue, radix: 16))"
        }
    }
}
