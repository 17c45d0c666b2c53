internal import CDNNL

/// A pointwise activation over `count` contiguous Float32 values with oneDNN, or over bf16 values
/// (computed in FP32 inside the kernel, each result rounded once as it is stored).
package struct EltwiseKernel: Sendable {
    /// The function applied.
    package let activation: Activation
    /// Number of values per call.
    package let count: Int
    /// The type of every buffer a call reads and writes.
    let elementType: KernelElementType

    /// Throws a `DNNLError` if `count` is not positive.
    package init(_ activation: Activation, count: Int) throws {
        try self.init(activation, count: count, elementType: .float32)
    }

    /// The same over `elementType` values (bf16 needs a CPU with native bf16: `ComputePrecision`).
    init(_ activation: Activation, count: Int, elementType: KernelElementType) throws {
        self.activation = activation
        self.count = count
        self.elementType = elementType
        if count < 1 {
            throw DNNLError(primitive: "\(activation) over \(count) values", cause: .invalidGeometry("count must be positive"))
        }
    }

    private func primitive(backward: Bool, context: DNNLContext) throws -> DNNLPrimitive {
        let key = PrimitiveKey(kind: "eltwise",
                               parameters: [activation.rawValue, count, backward ? 1 : 0, elementType.rawValue])
        return try context.cache.plan(key) {
            let name = "\(activation) \(backward ? "backward" : "forward") over \(count) "
                + (elementType == .float32 ? "values" : "\(elementType.name) values")
            if elementType == .bfloat16 { try ComputePrecision.bf16.checkSupported(primitive: name) }
            let data = try MemoryDescriptor.make([count], dnnl_a, elementType: elementType, primitive: name)
            let eltwise = activation.eltwise
            if backward {
                // The saved buffer (`data`) is the forward output or input, as `backwardUsesOutput` says.
                let hint = try primitive(backward: false, context: context)
                return try DNNLPrimitive(context: context, name: name, call: "dnnl_eltwise_backward_primitive_desc_create") {
                    dnnl_eltwise_backward_primitive_desc_create(&$0, context.engine, eltwise.algorithm, data.handle, data.handle,
                                                                data.handle, eltwise.alpha, eltwise.beta, hint.descriptor, $1)
                }
            }
            return try DNNLPrimitive(context: context, name: name, call: "dnnl_eltwise_forward_primitive_desc_create") {
                dnnl_eltwise_forward_primitive_desc_create(&$0, context.engine, dnnl_forward_training, eltwise.algorithm,
                                                           data.handle, data.handle, eltwise.alpha, eltwise.beta, $1)
            }
        }
    }

    /// output = activation(input); `output` may equal `input` (in place).
    package func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws {
        precondition(elementType == .float32, "EltwiseKernel: FP32 pointers for a \(elementType.name) kernel")
        try forward(from: UnsafeRawPointer(input), to: UnsafeMutableRawPointer(output))
    }

    /// output = activation(input) on `elementType` values.
    func forward(from input: UnsafeRawPointer, to output: UnsafeMutableRawPointer) throws {
        try DNNLContext.execute([DNNLArgument(DNNL_ARG_SRC, input), DNNLArgument(DNNL_ARG_DST, output)]) {
            try primitive(backward: false, context: $0)
        }
    }

    /// gradInput = gradOutput * activation'(x). `saved` is the forward output if
    /// `activation.backwardUsesOutput`, else the forward input.
    package func backward(gradOutput: UnsafePointer<Float>, saved: UnsafePointer<Float>,
                          gradInput: UnsafeMutablePointer<Float>) throws {
        precondition(elementType == .float32, "EltwiseKernel: FP32 pointers for a \(elementType.name) kernel")
        try backward(gradientFrom: UnsafeRawPointer(gradOutput), saved: UnsafeRawPointer(saved),
                     to: UnsafeMutableRawPointer(gradInput))
    }

    /// The backward pass on `elementType` values.
    func backward(gradientFrom gradOutput: UnsafeRawPointer, saved: UnsafeRawPointer,
                  to gradInput: UnsafeMutableRawPointer) throws {
        try DNNLContext.execute([DNNLArgument(DNNL_ARG_DIFF_DST, gradOutput),
                                 DNNLArgument(activation.backwardUsesOutput ? DNNL_ARG_DST : DNNL_ARG_SRC, saved),
                                 DNNLArgument(DNNL_ARG_DIFF_SRC, gradInput)]) {
            try primitive(backward: true, context: $0)
        }
    }
}
