/// An n-dimensional array of `Float` in row-major, contiguous storage (images are NHWC),
/// with reverse-mode automatic differentiation on a dynamic tape.
///
/// `Tensor` is a value: copies share one `TensorStorage` (a 64-byte aligned buffer) until one
/// of them is mutated. An operation's output may carry a `GradientNode` recording how to send
/// the output's gradient back to its inputs; `backward()` on a scalar loss walks those nodes.
///
/// # Writing an operation
///
/// An operation is a function that (1) checks shapes, (2) allocates its output and fills it
/// through raw pointers, and (3) if any input requires a gradient, records a backward closure.
///
/// ```swift
/// public func scaled(_ x: Tensor, by factor: Float) -> Tensor {
///     // (2) allocate and fill; `Tensor(shape:initializingWith:)` hands out an uninitialized,
///     //     64-byte aligned buffer that the body must fill completely.
///     let output = Tensor(shape: x.shape) { out in
///         x.withUnsafeBufferPointer { input in
///             for i in 0..<input.count { out[i] = input[i] * factor }
///         }
///     }
///     // (3) record; `shouldRecord` is false in no-gradient mode or when no input needs a
///     //     gradient, and then no closure is created and nothing is kept alive.
///     guard Tensor.shouldRecord(x) else { return output }
///     return output.recording("scaled", inputs: [x]) { gradient in
///         [scaled(gradient, by: factor)]          // one entry per input, nil where not needed
///     }
/// }
/// ```
///
/// - Raw pointers: `withUnsafeBufferPointer` (read) and `withUnsafeMutableBufferPointer`
///   (write, copies first if the storage is shared). Inside the module, `storage.baseAddress`
///   is the aligned pointer oneDNN memory objects can wrap without copying; keep the tensor
///   alive while it is used (`withExtendedLifetime`). `Tensor(uninitializedShape:)` gives an
///   output buffer for kernels that fill several outputs at once.
/// - Backward closure: receives the gradient of the output (same shape as the output) and
///   returns one gradient per input, in the order of `inputs`, with the input's shape, or nil
///   for inputs that need none (check `x.requiresGradient` before the closure and capture the
///   Bool, so no work is done for frozen inputs). Capture only what the backward needs (shapes,
///   the output, saved masks), not whole inputs whose buffers are otherwise unused: everything
///   captured stays alive until `backward()` runs. The closure runs with recording off, so it
///   may call other operations freely; it must not mutate captured tensors' storage.
/// - Accumulation: gradients arriving at one tensor from several uses are summed. Leaves
///   (`requiringGradient()` tensors and `Parameter`s) keep their gradient across `backward()`
///   calls, summing new gradients into it, until `Parameter.zeroGradient()`.
/// - No-gradient mode: inside `Tensor.withoutGradients { }` nothing is recorded.
/// - Frozen parameters (`Parameter.isFrozen`) have no gradient node, so subgraphs that depend
///   only on them record nothing and no backward work is done for them.
/// - Shape errors: call `Tensor.fail(.shapeMismatch(operation:lhs:rhs:))`, which stops with a
///   message naming the operation and both shapes (see `TensorError`).
/// - Helpers inside the module: `Parallel.forEachChunk` splits a loop over the two cores;
///   `Tensor.map`/`Tensor.combine` run an elementwise `UnaryFunction`/`BinaryFunction`
///   (generic value types, so the loop is specialized and inlined) with NumPy broadcasting;
///   `StridedLayout` walks n-d strided views row by row; `Tensor.copyElements` copies strided
///   regions (permute, slice, concatenate); `Gemm.multiply` wraps `dnnl_sgemm`;
///   `Tensor.rowwise` runs a kernel over the rows of the last axis.
/// - Buffers: released buffers of at least 16 KB go to `BufferPool.shared` and are handed to the
///   next allocation of the same size (the pool keeps up to a quarter of the machine's memory),
///   so a training step after the first allocates no fresh memory.
public struct Tensor {
    /// The extent of each axis; `[]` for a scalar.
    public private(set) var shape: [Int]
    /// The floats, shared between copies until one is mutated.
    var storage: TensorStorage
    /// How to send this tensor's gradient back; nil when it needs none.
    var gradientNode: GradientNode?

    init(shape: [Int], storage: TensorStorage, gradientNode: GradientNode? = nil) {
        self.shape = shape
        self.storage = storage
        self.gradientNode = gradientNode
    }

    /// A tensor whose floats are not initialized: the caller must write all of them.
    init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.checkedCount(shape)))
    }

    /// A tensor of `shape` whose floats `body` writes; the buffer is uninitialized on entry.
    public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape)
        try body(UnsafeMutableBufferPointer(start: storage.baseAddress, count: storage.count))
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    /// - Throws: `TensorError.scalarCountMismatch` or `.invalidShape` (a negative extent).
    public init(shape: [Int], scalars: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidShape(operation: "Tensor(shape:scalars:)", shape: shape, expected: "non-negative extents")
        }
        guard shape.reduce(1, *) == scalars.count else {
            throw TensorError.scalarCountMismatch(shape: shape, count: scalars.count)
        }
        self.init(shape: shape) { buffer in _ = buffer.initialize(from: scalars) }
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count]) { buffer in _ = buffer.initialize(from: scalars) }
    }

    /// A rank-0 tensor holding `scalar`.
    public init(_ scalar: Float) {
        self.init(shape: []) { $0[0] = scalar }
    }

    /// A tensor of `shape` with every element `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape) { $0.update(repeating: value) }
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var scalarCount: Int { storage.count }

    /// The elements in row-major order.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// The only element of a one-element tensor (of any rank).
    public var scalar: Float {
        guard scalarCount == 1 else {
            Tensor.fail(.invalidShape(operation: "scalar", shape: shape, expected: "exactly one element"))
        }
        return storage.baseAddress[0]
    }

    /// Calls `body` with the elements in row-major order.
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.baseAddress, count: storage.count))
        }
    }

    /// Calls `body` with writable elements, first copying the storage if another tensor shares it.
    public mutating func withUnsafeMutableBufferPointer<Result>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.baseAddress, count: storage.count))
        }
    }

    /// This tensor with another shape of the same element count, sharing the storage
    /// (no gradient node; `reshaped(to:)` is the differentiable operation).
    func viewed(as newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// Stops the program with the message of `error`: shape and axis errors in operations are
    /// programmer errors, reported in every build mode (unlike `precondition` under -Ounchecked).
    public static func fail(_ error: TensorError) -> Never {
        fatalError(error.description)
    }

    /// The result of `body`, or a stop with the message of the `TensorError` it throws: for
    /// validation helpers that throw, used inside operations where misuse is a programmer error.
    static func failing<Result>(_ body: () throws -> Result) -> Result {
        do {
            return try body()
        } catch let error as TensorError {
            fail(error)
        } catch {
            fatalError("\(error)")
        }
    }

    /// The element count of `shape`, rejecting negative extents.
    static func checkedCount(_ shape: [Int]) -> Int {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { fail(.invalidShape(operation: "Tensor", shape: shape, expected: "non-negative extents")) }
            count *= extent
        }
        return count
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and, for small tensors, the elements.
    public var description: String {
        let values = scalarCount <= 32 ? "\(scalars)" : "[\(scalarCount) elements]"
        return "Tensor(shape: \(shape), \(values)\(requiresGradient ? ", requiresGradient" : ""))"
    }
}
