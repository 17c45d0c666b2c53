internal import CDNNL

/// Builders for oneDNN memory descriptors: the one place the kernels create them.
enum MemoryDescriptor {
    /// A descriptor of `elementType` values with logical `dims` and physical layout `tag`
    /// (`dnnl_format_tag_any` lets the primitive choose).
    static func make(_ dims: [Int], _ tag: dnnl_format_tag_t, elementType: KernelElementType = .float32,
                     primitive: @autoclosure () -> String) throws -> dnnl_memory_desc_t {
        var descriptor = dnnl_memory_desc_t()
        let dims64 = dims.map(Int64.init)
        try dnnlCheck(dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), dims64, elementType.dnnlType, tag),
                      "dnnl_memory_desc_init_by_tag", primitive())
        return descriptor
    }

    /// The zero descriptor oneDNN reads as "argument not used" (e.g. no bias).
    static let none = dnnl_memory_desc_t()

    /// Whether two descriptors describe the same layout.
    static func equal(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        var a = a, b = b
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    /// Bytes needed to hold memory with this descriptor.
    static func byteCount(_ descriptor: dnnl_memory_desc_t) -> Int {
        var descriptor = descriptor
        return dnnl_memory_desc_get_size(&descriptor)
    }
}
