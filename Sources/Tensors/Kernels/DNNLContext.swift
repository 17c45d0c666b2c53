internal import CDNNL
import Foundation

/// The process-wide oneDNN CPU engine and stream, the primitive cache and the shared scratchpad.
///
/// All kernels run inside `withExclusiveAccess`, which serializes primitive creation and execution
/// (oneDNN already parallelizes each primitive over the cores with OpenMP).
final class DNNLContext: @unchecked Sendable {
    /// The CPU engine.
    let engine: dnnl_engine_t
    /// The in-order stream all primitives execute on.
    let stream: dnnl_stream_t
    /// Primitives (and their memory descriptors) by geometry.
    let cache = PrimitiveCache()

    private let lock = NSLock()
    private var scratchpad = AlignedBuffer(byteCount: 1)
    private var temporaries: [AlignedBuffer] = []

    private static let sharedResult: Result<DNNLContext, DNNLError> = Result { try DNNLContext() }
        .mapError { $0 as? DNNLError ?? DNNLError(primitive: "engine", cause: .invalidGeometry("\($0)")) }

    /// The shared context, created on first use.
    static func shared() throws -> DNNLContext { try sharedResult.get() }

    private init() throws {
        var engine: dnnl_engine_t?
        try dnnlCheck(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create", "CPU engine")
        var stream: dnnl_stream_t?
        try dnnlCheck(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue),
                      "dnnl_stream_create", "CPU stream")
        guard let engine, let stream else {
            throw DNNLError(primitive: "CPU engine", cause: .invalidGeometry("oneDNN returned no engine"))
        }
        self.engine = engine
        self.stream = stream
    }

    deinit {
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }

    /// Runs `body` with the shared context while holding its lock.
    static func withShared<T>(_ body: (DNNLContext) throws -> T) throws -> T {
        let context = try shared()
        return try context.withExclusiveAccess { try body(context) }
    }

    /// Runs `arguments` through the primitive that `primitive` returns for the shared context
    /// (usually from its cache), holding the context lock throughout.
    static func execute(_ arguments: [DNNLArgument], on primitive: (DNNLContext) throws -> DNNLPrimitive) throws {
        try withShared { context in try primitive(context).execute(arguments, context: context) }
    }

    /// Runs `body` while holding the context lock.
    func withExclusiveAccess<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// A scratchpad of at least `byteCount` bytes, shared by all primitives (call only under the lock).
    func scratchpad(byteCount: Int) -> UnsafeMutableRawPointer {
        if scratchpad.byteCount < byteCount { scratchpad = AlignedBuffer(byteCount: byteCount) }
        return scratchpad.pointer
    }

    /// Temporary buffer number `slot` of at least `byteCount` bytes (call only under the lock): where
    /// plans reorder arguments between the caller's layout and the primitive's during one run.
    /// Shared by all plans, so that reordered activations take memory for the largest layer only,
    /// not for every layer and pass.
    func temporary(slot: Int, byteCount: Int) -> UnsafeMutableRawPointer {
        while temporaries.count <= slot { temporaries.append(AlignedBuffer(byteCount: 1)) }
        if temporaries[slot].byteCount < byteCount { temporaries[slot] = AlignedBuffer(byteCount: byteCount) }
        return temporaries[slot].pointer
    }

    /// Waits until all submitted primitives have finished.
    func wait(_ primitive: @autoclosure () -> String) throws {
        try dnnlCheck(dnnl_stream_wait(stream), "dnnl_stream_wait", primitive())
    }
}
