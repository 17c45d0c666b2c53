internal import CDNNL

/// A pointer handed to a `PrimitivePlan` for one execution argument.
enum PlanArgument {
    /// Data the primitive reads.
    case input(Int32, UnsafeRawPointer)
    /// Weights the primitive reads; a reordered copy is reused while `version` is unchanged.
    case weights(Int32, UnsafeRawPointer, WeightsVersion?)
    /// Data the primitive writes.
    case output(Int32, UnsafeMutableRawPointer)
}

/// A cached primitive together with the layout bridges between the caller's plain buffers and the
/// layouts the primitive chose for its arguments.
final class PrimitivePlan {
    let primitive: DNNLPrimitive
    private let layouts: [Int32: ArgumentLayout]

    /// - Parameter userLayouts: the caller's layout of each argument the primitive may store
    ///   differently, and whether the primitive writes it.
    init(primitive: DNNLPrimitive, userLayouts: [Int32: (descriptor: MemoryDescriptor, isOutput: Bool)],
         context: DNNLContext) throws {
        self.primitive = primitive
        var layouts: [Int32: ArgumentLayout] = [:]
        for (slot, (argument, user)) in userLayouts.sorted(by: { $0.key < $1.key }).enumerated() {
            let layout = try ArgumentLayout(user: user.descriptor, primitive: try primitive.memoryDescriptor(argument),
                                            isOutput: user.isOutput, slot: slot, context: context, name: primitive.name)
            if layout.needsReorder { layouts[argument] = layout }
        }
        self.layouts = layouts
    }

    /// Whether any argument is reordered (the primitive prefers a layout other than the caller's).
    var reordersArguments: Bool { !layouts.isEmpty }

    /// Reorders inputs if needed, executes, and reorders outputs back (call only under the context lock).
    func run(_ arguments: [PlanArgument], context: DNNLContext) throws {
        var bound: [DNNLArgument] = []
        bound.reserveCapacity(arguments.count)
        var pendingOutputs: [(ArgumentLayout, UnsafeMutableRawPointer)] = []
        for argument in arguments {
            switch argument {
            case let .input(id, pointer):
                bound.append(DNNLArgument(id, try layouts[id]?.input(pointer, context: context) ?? pointer))
            case let .weights(id, pointer, version):
                bound.append(DNNLArgument(id, try layouts[id]?.weights(pointer, version: version, context: context) ?? pointer))
            case let .output(id, pointer):
                if let layout = layouts[id] {
                    bound.append(DNNLArgument(id, layout.output(pointer, context: context)))
                    pendingOutputs.append((layout, pointer))
                } else {
                    bound.append(DNNLArgument(id, pointer))
                }
            }
        }
        try primitive.execute(bound, context: context)
        for (layout, pointer) in pendingOutputs { try layout.finishOutput(pointer, context: context) }
    }
}
