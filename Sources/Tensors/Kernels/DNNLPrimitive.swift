internal import CDNNL

/// A data pointer bound to one execution argument (e.g. `DNNL_ARG_SRC`).
struct DNNLArgument {
    let id: Int32
    let pointer: UnsafeRawPointer

    init(_ id: Int32, _ pointer: UnsafeRawPointer) {
        self.id = id
        self.pointer = pointer
    }
}

/// One oneDNN primitive with its descriptor, a user-managed scratchpad and one cached memory object
/// per execution argument (so running it only swaps data pointers).
final class DNNLPrimitive {
    /// The primitive with its geometry, used in error messages.
    let name: String
    let descriptor: dnnl_primitive_desc_t
    private let primitive: dnnl_primitive_t
    private let scratchpadByteCount: Int
    /// The kind and pass oneDNN names (`convolution backward_weights`, `reorder`): its `KernelProfile` category.
    private let profileCategory: String
    private var memories: [Int32: dnnl_memory_t] = [:]
    private let engine: dnnl_engine_t

    /// Creates the primitive whose descriptor `create` makes: one `dnnl_<kind>_<pass>_primitive_desc_create`
    /// call (named `call` in errors) that receives where to put the descriptor and the attributes to pass
    /// on (the user-managed scratchpad and `postOps`); a backward pass gives it its forward primitive's
    /// `descriptor` as the hint.
    convenience init(postOps: [DNNLPostOp] = [], context: DNNLContext, name: String, call: StaticString,
                     create: (_ descriptor: inout dnnl_primitive_desc_t?, _ attributes: const_dnnl_primitive_attr_t?)
                         -> dnnl_status_t) throws {
        let attributes = try Self.makeAttributes(postOps: postOps, name: name)
        defer { dnnl_primitive_attr_destroy(attributes) }
        var descriptor: dnnl_primitive_desc_t?
        try dnnlCheck(create(&descriptor, attributes), call, name)
        try self.init(descriptor: descriptor, context: context, name: name)
    }

    /// Creates a reorder from layout `source` to layout `destination`.
    convenience init(reorderFrom source: MemoryDescriptor, to destination: MemoryDescriptor,
                     context: DNNLContext, name: String) throws {
        try self.init(context: context, name: name, call: "dnnl_reorder_primitive_desc_create") { descriptor, attributes in
            dnnl_reorder_primitive_desc_create(&descriptor, source.handle, context.engine, destination.handle, context.engine,
                                               attributes)
        }
    }

    private init(descriptor: dnnl_primitive_desc_t?, context: DNNLContext, name: String) throws {
        guard let descriptor else {
            throw DNNLError(primitive: name, cause: .invalidGeometry("oneDNN returned no primitive descriptor"))
        }
        var primitive: dnnl_primitive_t?
        let status = dnnl_primitive_create(&primitive, descriptor)
        guard status == dnnl_success, let primitive else {
            dnnl_primitive_desc_destroy(descriptor)
            try dnnlCheck(status == dnnl_success ? dnnl_runtime_error : status, "dnnl_primitive_create", name)
            throw DNNLError(primitive: name, cause: .invalidGeometry("oneDNN returned no primitive"))
        }
        self.name = name
        self.descriptor = descriptor
        self.primitive = primitive
        self.engine = context.engine
        scratchpadByteCount = MemoryDescriptor.byteCount(dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0))
        profileCategory = Self.kindAndPass(of: descriptor)
        PrimitiveImplementations.record(primitive: name, implementation: implementation)
    }

    /// "KIND PASS" as oneDNN's debug names spell them (`pooling forward_inference`), or the kind
    /// alone for primitives without a pass (reorders).
    private static func kindAndPass(of descriptor: dnnl_primitive_desc_t) -> String {
        var kind = dnnl_undefined_primitive
        _ = withUnsafeMutablePointer(to: &kind) { dnnl_primitive_desc_query(descriptor, dnnl_query_primitive_kind, 0, $0) }
        var pass = dnnl_prop_kind_undef
        let hasPass = withUnsafeMutablePointer(to: &pass) { dnnl_primitive_desc_query(descriptor, dnnl_query_prop_kind, 0, $0) }
            == dnnl_success && pass != dnnl_prop_kind_undef
        let kindName = dnnl_prim_kind2str(kind).map { String(cString: $0) } ?? "primitive"
        return hasPass ? kindName + " " + (dnnl_prop_kind2str(pass).map { String(cString: $0) } ?? "") : kindName
    }

    deinit {
        for memory in memories.values { dnnl_memory_destroy(memory) }
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    private static func makeAttributes(postOps chain: [DNNLPostOp], name: String) throws -> dnnl_primitive_attr_t? {
        var attributes: dnnl_primitive_attr_t?
        try dnnlCheck(dnnl_primitive_attr_create(&attributes), "dnnl_primitive_attr_create", name)
        do {
            try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user),
                          "dnnl_primitive_attr_set_scratchpad_mode", name)
            if !chain.isEmpty {
                var postOps: dnnl_post_ops_t?
                try dnnlCheck(dnnl_post_ops_create(&postOps), "dnnl_post_ops_create", name)
                defer { dnnl_post_ops_destroy(postOps) }
                for postOp in chain {
                    switch postOp {
                    case .eltwise(let operation):
                        try dnnlCheck(dnnl_post_ops_append_eltwise(postOps, operation.algorithm, operation.alpha,
                                                                   operation.beta),
                                      "dnnl_post_ops_append_eltwise", name)
                    case .add(let layout):
                        try dnnlCheck(dnnl_post_ops_append_binary(postOps, dnnl_binary_add, layout.handle),
                                      "dnnl_post_ops_append_binary", name)
                    case .multiply(let layout):
                        try dnnlCheck(dnnl_post_ops_append_binary(postOps, dnnl_binary_mul, layout.handle),
                                      "dnnl_post_ops_append_binary", name)
                    }
                }
                try dnnlCheck(dnnl_primitive_attr_set_post_ops(attributes, postOps), "dnnl_primitive_attr_set_post_ops", name)
            }
        } catch {
            dnnl_primitive_attr_destroy(attributes)
            throw error
        }
        return attributes
    }

    /// A copy of the memory descriptor of execution argument `argument` (e.g. `DNNL_ARG_WEIGHTS`): the
    /// layout this primitive uses for it (oneDNN's zero descriptor, of no bytes, if it is unused).
    func memoryDescriptor(_ argument: Int32) throws -> MemoryDescriptor {
        try MemoryDescriptor.copy(of: argumentDescriptor(argument), primitive: name)
    }

    /// The primitive descriptor's own descriptor of `argument`: valid only while this primitive lives,
    /// so it never leaves this class.
    private func argumentDescriptor(_ argument: Int32) -> const_dnnl_memory_desc_t? {
        dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, argument)
    }

    /// Bytes of execution argument `argument` in the layout this primitive uses.
    func byteCount(_ argument: Int32) -> Int { MemoryDescriptor.byteCount(argumentDescriptor(argument)) }

    /// The name of the implementation oneDNN picked (e.g. "brgconv:avx512_core").
    var implementation: String {
        var info: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &info) == dnnl_success,
              let info else { return "unknown" }
        return String(cString: info)
    }

    /// Runs the primitive on the given data pointers (call only under the context lock).
    func execute(_ arguments: [DNNLArgument], context: DNNLContext) throws {
        var execArguments: [dnnl_exec_arg_t] = []
        execArguments.reserveCapacity(arguments.count + 1)
        for argument in arguments {
            execArguments.append(dnnl_exec_arg_t(arg: argument.id, memory: try bind(argument.id, argument.pointer)))
        }
        if scratchpadByteCount > 0 {
            let scratchpad = context.scratchpad(byteCount: scratchpadByteCount)
            execArguments.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: try bind(DNNL_ARG_SCRATCHPAD, scratchpad)))
        }
        try KernelProfile.measure(profileCategory) {
            try dnnlCheck(dnnl_primitive_execute(primitive, context.stream, Int32(execArguments.count), execArguments),
                          "dnnl_primitive_execute", name)
            try context.wait(name)
        }
    }

    private func bind(_ argument: Int32, _ pointer: UnsafeRawPointer) throws -> dnnl_memory_t? {
        let data = UnsafeMutableRawPointer(mutating: pointer)
        if let memory = memories[argument] {
            try dnnlCheck(dnnl_memory_set_data_handle(memory, data), "dnnl_memory_set_data_handle", name)
            return memory
        }
        var memory: dnnl_memory_t?
        try dnnlCheck(dnnl_memory_create(&memory, argumentDescriptor(argument), engine, data), "dnnl_memory_create", name)
        memories[argument] = memory
        return memory
    }
}
