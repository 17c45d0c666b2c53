internal import CDNNL

/// The element type of the buffers the kernels read and write. Every oneDNN memory descriptor the
/// kernels create takes its data type from here (through `MemoryDescriptor.make`); a kernel's
/// element types enter its `PrimitiveKey`.
enum KernelElementType: Int, Hashable, Sendable {
    /// IEEE 754 single precision (Swift `Float`, 4 bytes): every tensor's type.
    case float32
    /// bfloat16 (2 bytes: Float's sign and 8-bit exponent, a 7-bit stored mantissa): what
    /// convolutions read under `ComputePrecision.bf16`, only inside oneDNN's buffers.
    case bfloat16

    /// oneDNN's short name ("f32", "bf16"), for primitive names.
    var name: String {
        switch self {
        case .float32: return "f32"
        case .bfloat16: return "bf16"
        }
    }

    /// oneDNN's data type for this element type.
    var dnnlType: dnnl_data_type_t {
        switch self {
        case .float32: return dnnl_f32
        case .bfloat16: return dnnl_bf16
        }
    }
}
