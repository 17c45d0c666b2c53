internal import CDNNL

/// `count` FP32 values rounded to bf16 (oneDNN's reorder: round to nearest even), held in pooled
/// `TensorStorage`, two bf16 values to a float slot: an operand of `BFloat16MatrixProduct` or of a
/// bf16 convolution (`ConvolutionOperand`) converted once. A bf16 matrix product or convolution
/// keeps its input's copy for its backward pass instead of the FP32 tensor (half the bytes), and
/// its passes read each operand and the output gradient converted once instead of once per pass.
/// A depthwise convolution under bf16 keeps one too and gets FP32 values back (`restore`). A kernel
/// may also write one directly (`init(uninitializedCount:)`): a bf16 matrix product's output that
/// only bf16 passes read (`geluMLP`).
final class BFloat16Copy {
    /// Values held.
    let count: Int
    private let storage: TensorStorage

    /// The first value (2 bytes each, row-major as the source).
    var pointer: UnsafeRawPointer { UnsafeRawPointer(storage.baseAddress) }

    /// The first value, for the kernel that writes the buffer.
    var mutablePointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(storage.baseAddress) }

    /// Room for `count` bf16 values that a kernel is about to write.
    init(uninitializedCount count: Int) {
        self.count = count
        storage = TensorStorage(uninitializedCount: (count + 1) / 2)
    }

    /// Converts `source[0..<count]`.
    /// - Throws: `DNNLError` when oneDNN cannot make the conversion.
    init(of source: UnsafePointer<Float>, count: Int) throws {
        self.count = count
        storage = TensorStorage(uninitializedCount: (count + 1) / 2)
        try Self.convert(count, from: source, .float32, to: storage.baseAddress, .bfloat16)
    }

    /// Writes the `count` values back as FP32 (exact: every bf16 value is an FP32 value).
    /// - Throws: `DNNLError` when oneDNN cannot make the conversion.
    func restore(into destination: UnsafeMutablePointer<Float>) throws {
        try Self.convert(count, from: pointer, .bfloat16, to: destination, .float32)
    }

    /// The sums of the columns of the `rows x columns` row-major matrix these values are, in FP32
    /// blocks of 64 rows added into Double (`Parallel.blockedSums`, both cores): a bias gradient from a
    /// bf16 output gradient. (oneDNN 3.2's sum reduction over the rows took 1.33 s of a 2.9 s ConvNeXt-Tiny
    /// training step for its 18 hidden gradients, AMD EPYC Zen 4, 2026-12-07.)
    func columnSums(rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        precondition(rows * columns == count && rows > 0 && columns > 0, "BFloat16Copy: \(count) values are not \(rows)x\(columns)")
        let values = pointer.assumingMemoryBound(to: UInt16.self)
        let totals = KernelProfile.measure("broadcast sums (Swift: bias gradients, reductions)") {
            Parallel.blockedSums(count: columns, rows: rows, rowsPerBlock: 64, costPerRow: columns) { range, block in
                for row in range {
                    let values = values + row * columns
                    for column in 0..<columns { block[column] += BFloat16Bits.float(values[column]) }
                }
            }
        }
        for column in 0..<columns { sums[column] = Float(totals[column]) }
    }

    /// oneDNN's reorder of `count` contiguous values between element types.
    private static func convert(_ count: Int, from source: UnsafeRawPointer, _ sourceType: KernelElementType,
                                to destination: UnsafeMutableRawPointer, _ destinationType: KernelElementType) throws {
        try DNNLContext.withShared { context in
            let key = PrimitiveKey(kind: "reorder \(sourceType.name) to \(destinationType.name)", parameters: [count])
            let plan = try context.cache.plan(key) {
                let name = "conversion of \(count) values from \(sourceType.name) to \(destinationType.name)"
                let from = try MemoryDescriptor.make([count], dnnl_x, elementType: sourceType, primitive: name)
                let to = try MemoryDescriptor.make([count], dnnl_x, elementType: destinationType, primitive: name)
                return try PrimitivePlan(primitive: try DNNLPrimitive(reorderFrom: from, to: to, context: context, name: name),
                                         userLayouts: [:], context: context)
            }
            try plan.run([.input(DNNL_ARG_FROM, source), .output(DNNL_ARG_TO, destination)], context: context)
        }
    }
}
