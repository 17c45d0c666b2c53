internal import CDNNL

/// One oneDNN memory descriptor (the layout of one argument: element type, logical dims, physical
/// order), owned by this object: oneDNN 3's descriptors are opaque handles that must be destroyed,
/// so every descriptor the kernels hold is one of these and is destroyed with it. Descriptors that
/// a primitive descriptor returns stay its own; `DNNLPrimitive.memoryDescriptor` hands out copies.
final class MemoryDescriptor {
    /// The handle, or nil for an argument that is not used (e.g. no bias): oneDNN reads a null
    /// descriptor that way.
    let handle: dnnl_memory_desc_t?

    private init(owning handle: dnnl_memory_desc_t?) {
        self.handle = handle
    }

    deinit {
        if let handle { dnnl_memory_desc_destroy(handle) }
    }

    /// A descriptor of `elementType` values with logical `dims` and physical layout `tag`
    /// (`dnnl_format_tag_any` lets the primitive choose).
    static func make(_ dims: [Int], _ tag: dnnl_format_tag_t, elementType: KernelElementType = .float32,
                     primitive: @autoclosure () -> String) throws -> MemoryDescriptor {
        var handle: dnnl_memory_desc_t?
        let dims64 = dims.map(Int64.init)
        try dnnlCheck(dnnl_memory_desc_create_with_tag(&handle, Int32(dims.count), dims64, elementType.dnnlType, tag),
                      "dnnl_memory_desc_create_with_tag", primitive())
        return MemoryDescriptor(owning: handle)
    }

    /// A copy of a descriptor that someone else owns (e.g. a primitive descriptor); nil copies to `none`.
    static func copy(of descriptor: const_dnnl_memory_desc_t?, primitive: @autoclosure () -> String) throws -> MemoryDescriptor {
        guard let descriptor else { return none }
        var handle: dnnl_memory_desc_t?
        try dnnlCheck(dnnl_memory_desc_clone(&handle, descriptor), "dnnl_memory_desc_clone", primitive())
        return MemoryDescriptor(owning: handle)
    }

    /// The null descriptor oneDNN reads as "argument not used" (e.g. no bias).
    static var none: MemoryDescriptor { MemoryDescriptor(owning: nil) }

    /// Whether two descriptors describe the same layout (two unused arguments are the same).
    static func equal(_ a: MemoryDescriptor, _ b: MemoryDescriptor) -> Bool {
        guard let first = a.handle, let second = b.handle else { return a.handle == nil && b.handle == nil }
        return dnnl_memory_desc_equal(first, second) != 0
    }

    /// Bytes needed to hold memory with this descriptor (0 when unused).
    var byteCount: Int { Self.byteCount(handle) }

    /// Bytes needed to hold memory with a descriptor held elsewhere (0 for nil).
    static func byteCount(_ descriptor: const_dnnl_memory_desc_t?) -> Int {
        descriptor.map { dnnl_memory_desc_get_size($0) } ?? 0
    }
}
