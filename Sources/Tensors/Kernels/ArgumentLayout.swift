import CDNNL

/// Bridges one primitive argument between the caller's plain layout and the layout the primitive
/// chose. When the two agree it passes pointers through untouched; otherwise it reorders through a
/// reusable buffer, and for weights it keeps reordered copies per `WeightsVersion`.
final class ArgumentLayout {
    private let toPrimitive: DNNLPrimitive?
    private let fromPrimitive: DNNLPrimitive?
    private let primitiveByteCount: Int
    private var buffer: AlignedBuffer?
    private var cachedWeights: [UInt64: (version: UInt64, source: UnsafeRawPointer, buffer: AlignedBuffer)] = [:]

    /// Whether the argument is stored in a layout other than the caller's.
    var needsReorder: Bool { toPrimitive != nil || fromPrimitive != nil }

    /// - Parameters:
    ///   - user: the caller's layout.
    ///   - primitive: the layout the primitive uses for this argument.
    ///   - isOutput: whether the primitive writes the argument (reorder back after execution).
    init(user: dnnl_memory_desc_t, primitive: dnnl_memory_desc_t, isOutput: Bool, context: DNNLContext, name: String) throws {
        primitiveByteCount = MemoryDescriptor.byteCount(primitive)
        if MemoryDescriptor.equal(user, primitive) {
            toPrimitive = nil
            fromPrimitive = nil
        } else if isOutput {
            toPrimitive = nil
            fromPrimitive = try DNNLPrimitive(reorderFrom: primitive, to: user, context: context, name: "reorder for \(name)")
        } else {
            toPrimitive = try DNNLPrimitive(reorderFrom: user, to: primitive, context: context, name: "reorder for \(name)")
            fromPrimitive = nil
        }
    }

    private func temporary() -> UnsafeMutableRawPointer {
        if let buffer { return buffer.pointer }
        let made = AlignedBuffer(byteCount: primitiveByteCount)
        buffer = made
        return made.pointer
    }

    /// The pointer to hand to the primitive for input data at `pointer`.
    func input(_ pointer: UnsafeRawPointer, context: DNNLContext) throws -> UnsafeRawPointer {
        guard let toPrimitive else { return pointer }
        let destination = temporary()
        try toPrimitive.execute([DNNLArgument(DNNL_ARG_FROM, pointer), DNNLArgument(DNNL_ARG_TO, destination)], context: context)
        return UnsafeRawPointer(destination)
    }

    /// Like `input`, but reuses the reordered copy while `version` is unchanged.
    func weights(_ pointer: UnsafeRawPointer, version: WeightsVersion?, context: DNNLContext) throws -> UnsafeRawPointer {
        guard let toPrimitive else { return pointer }
        guard let version else { return try input(pointer, context: context) }
        if let entry = cachedWeights[version.owner], entry.version == version.version, entry.source == pointer {
            return UnsafeRawPointer(entry.buffer.pointer)
        }
        let copy = AlignedBuffer(byteCount: primitiveByteCount)
        try toPrimitive.execute([DNNLArgument(DNNL_ARG_FROM, pointer), DNNLArgument(DNNL_ARG_TO, copy.pointer)], context: context)
        cachedWeights[version.owner] = (version.version, pointer, copy)
        return UnsafeRawPointer(copy.pointer)
    }

    /// The pointer the primitive should write output destined for `pointer` into.
    func output(_ pointer: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        fromPrimitive == nil ? pointer : temporary()
    }

    /// Moves output written to `output(pointer)` into the caller's `pointer`.
    func finishOutput(_ pointer: UnsafeMutableRawPointer, context: DNNLContext) throws {
        guard let fromPrimitive, let buffer else { return }
        try fromPrimitive.execute([DNNLArgument(DNNL_ARG_FROM, buffer.pointer), DNNLArgument(DNNL_ARG_TO, pointer)], context: context)
    }
}
