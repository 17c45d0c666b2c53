/// An activation buffer a convolution pass reads: its input (forward, backward weights) or its
/// output gradient (backward data, backward weights), as FP32 values or as their bf16 copy.
///
/// Under `ComputePrecision.bf16` every such buffer is read in bf16. Handed FP32 values, each pass
/// converts them itself (a reorder in its plan), so a training step converted a convolution's input
/// twice (forward and backward weights) and its output gradient twice (backward data and weights).
/// `Tensor.weightedWindow` converts each once (`BFloat16Copy`) and hands both passes the copy; the
/// backward pass then holds the input's 2-byte copy instead of the 4-byte tensor.
enum ConvolutionOperand {
    /// FP32 values, NHWC.
    case float32(UnsafePointer<Float>)
    /// A bf16 copy of NHWC values, and the FP32 values it was made from where the caller still has
    /// them (a pointwise convolution's bias gradient sums the FP32 output gradient).
    case bfloat16(BFloat16Copy, float32: UnsafePointer<Float>?)

    /// The caller's element type: the plan's user layout of this argument (part of its key).
    var elementType: KernelElementType {
        switch self {
        case .float32: return .float32
        case .bfloat16: return .bfloat16
        }
    }

    /// The address of the value `offset` values past the first (a sub-batch's first image).
    func advanced(by offset: Int) -> UnsafeRawPointer {
        switch self {
        case .float32(let values): return UnsafeRawPointer(values + offset)
        case .bfloat16(let copy, _): return copy.pointer + offset * MemoryLayout<UInt16>.stride
        }
    }

    /// The FP32 values, where the caller handed them.
    var float32Values: UnsafePointer<Float>? {
        switch self {
        case .float32(let values): return values
        case .bfloat16(_, let values): return values
        }
    }
}
