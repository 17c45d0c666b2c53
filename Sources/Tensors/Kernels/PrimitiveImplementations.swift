import Foundation

/// Every oneDNN primitive this process has created, with the implementation oneDNN picked for it
/// on this CPU (`brgconv:avx512_core`, `jit:avx2`, `jit_dw:avx2`, `ref:any`, ...), as
/// `dnnl_query_impl_info_str` names it: how a test or a profile sees that no hot path fell to a
/// `ref:` (reference, unvectorized) kernel.
package enum PrimitiveImplementations {
    /// One primitive: its description (operation, pass and geometry, e.g. "convolution 3x3 ...
    /// backward weights") and oneDNN's implementation name.
    package struct Entry: Hashable, Sendable {
        package var primitive: String
        package var implementation: String
    }

    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var entries: Set<Entry> = []
    }

    private static let store = Store()

    static func record(primitive: String, implementation: String) {
        store.lock.lock()
        defer { store.lock.unlock() }
        store.entries.insert(Entry(primitive: primitive, implementation: implementation))
    }

    /// What has been created since the process started or the last `reset()`, sorted by primitive.
    package static var recorded: [Entry] {
        store.lock.lock()
        defer { store.lock.unlock() }
        return store.entries.sorted { ($0.primitive, $0.implementation) < ($1.primitive, $1.implementation) }
    }

    /// Forgets what was recorded and empties the primitive cache, so that everything run afterwards
    /// creates (and records) the primitives it uses. Call it when no other thread runs kernels.
    package static func reset() throws {
        try DNNLContext.withShared { $0.cache.removeAll() }
        store.lock.lock()
        defer { store.lock.unlock() }
        store.entries.removeAll()
    }
}
