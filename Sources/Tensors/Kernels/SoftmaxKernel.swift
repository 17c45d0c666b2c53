internal import CDNNL

/// Softmax over the last axis of a `[rows, columns]` Float32 buffer with oneDNN.
struct SoftmaxKernel: Sendable {
    /// Number of independent rows and the length of each (the softmax axis).
    let rows: Int, columns: Int

    /// Throws a `DNNLError` if a size is not positive.
    init(rows: Int, columns: Int) throws {
        self.rows = rows
        self.columns = columns
        if rows < 1 || columns < 1 {
            throw DNNLError(primitive: "softmax \(rows)x\(columns)", cause: .invalidGeometry("sizes must be positive"))
        }
    }

    private func primitive(backward: Bool, context: DNNLContext) throws -> DNNLPrimitive {
        try context.cache.plan(PrimitiveKey(kind: "softmax", parameters: [rows, columns, backward ? 1 : 0])) {
            let name = "softmax \(backward ? "backward" : "forward") \(rows)x\(columns)"
            let data = try MemoryDescriptor.make([rows, columns], dnnl_ab, primitive: name)
            if backward {
                let hint = try primitive(backward: false, context: context)
                return try DNNLPrimitive(context: context, name: name, call: "dnnl_softmax_backward_primitive_desc_create") {
                    dnnl_softmax_backward_primitive_desc_create(&$0, context.engine, dnnl_softmax_accurate, data.handle,
                                                                data.handle, data.handle, 1, hint.descriptor, $1)
                }
            }
            return try DNNLPrimitive(context: context, name: name, call: "dnnl_softmax_forward_primitive_desc_create") {
                dnnl_softmax_forward_primitive_desc_create(&$0, context.engine, dnnl_forward_training, dnnl_softmax_accurate,
                                                           data.handle, data.handle, 1, $1)
            }
        }
    }

    /// output[r, c] = exp(input[r, c]) / sum_k exp(input[r, k]).
    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute([DNNLArgument(DNNL_ARG_SRC, input), DNNLArgument(DNNL_ARG_DST, output)]) {
            try primitive(backward: false, context: $0)
        }
    }

    /// gradInput = output * (gradOutput - sum(gradOutput * output)) per row, from the forward `output`.
    func backward(gradOutput: UnsafePointer<Float>, output: UnsafePointer<Float>,
                  gradInput: UnsafeMutablePointer<Float>) throws {
        try DNNLContext.execute([DNNLArgument(DNNL_ARG_DIFF_DST, gradOutput), DNNLArgument(DNNL_ARG_DST, output),
                                 DNNLArgument(DNNL_ARG_DIFF_SRC, gradInput)]) {
            try primitive(backward: true, context: $0)
        }
    }
}
