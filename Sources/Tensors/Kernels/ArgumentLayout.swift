internal import CDNNL

/// Bridges one primitive argument between the caller's plain layout and the layout the primitive
/// chose. When the two agree it passes pointers through untouched; otherwise it reorders through
/// the context's temporary buffer `slot` (shared by all plans), and for weights it keeps reordered
/// copies per `WeightsVersion`.
final class ArgumentLayout {
    private let toPrimitive: DNNLPrimitive?
    private let fromPrimitive: DNNLPrimitive?
    private let primitiveByteCount: Int
    private let slot: Int
    private var cachedWeights: [UInt64: (version: UInt64, source: UnsafeRawPointer, buffer: AlignedBuffer)] = [:]

    /// Whether the argument is stored in a layout other than the caller's.
    var needsReorder: Bool { toPrimitive != nil || fromPrimitive != nil }

    /// - Parameters:
    ///   - user: the caller's layout.
    ///   - primitive: the layout the primitive uses for this argument.
    ///   - isOutput: whether the primitive writes the argument (reorder back after execution).
    ///   - slot: the context temporary to reorder through, distinct for each argument of a plan.
    init(user: MemoryDescriptor, primitive: MemoryDescriptor, isOutput: Bool, slot: Int, context: DNNLContext,
         name: String) throws {
        primitiveByteCount = primitive.byteCount
        self.slot = slot
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

    private func temporary(_ context: DNNLContext) -> UnsafeMutableRawPointer {
        context.temporary(slot: slot, byteCount: primitiveByteCount)
    }

    /// The pointer to hand to the primitive for input data at `pointer`.
    func input(_ pointer: UnsafeRawPointer, context: DNNLContext) throws -> UnsafeRawPointer {
        guard let toPrimitive else { return pointer }
        let destination = temporary(context)
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
    func output(_ pointer: UnsafeMutableRawPointer, context: DNNLContext) -> UnsafeMutableRawPointer {
        fromPrimitive == nil ? pointer : temporary(context)
    }

    /// Moves output written to `output(pointer, context:)` into the caller's `pointer`.
    func finishOutput(_ pointer: UnsafeMutableRawPointer, context: DNNLContext) throws {
        guard let fromPrimitive else { return }
        try fromPrimitive.execute([DNNLArgument(DNNL_ARG_FROM, temporary(context)), DNNLArgument(DNNL_ARG_TO, pointer)],
                                  context: context)
    }
}
