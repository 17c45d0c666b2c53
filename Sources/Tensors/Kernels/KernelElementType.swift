internal import CDNNL

/// The element type of the buffers the kernels read and write. Every oneDNN memory descriptor the
/// kernels create takes its data type from here (through `MemoryDescriptor.make`), so a second
/// precision starts in this one place (it would also have to enter the `PrimitiveKey`s).
enum KernelElementType: Int, Hashable, Sendable {
    /// IEEE 754 single precision (Swift `Float`, 4 bytes): the type of every kernel today.
    case float32

    /// oneDNN's data type for this element type.
    var dnnlType: dnnl_data_type_t {
        switch self {
        case .float32: return dnnl_f32
        }
    }
}
