import Foundation

/// A free list of released tensor buffers, keyed by their exact float count.
///
/// Training repeats the same shapes every step, so a buffer released by one step is handed
/// to the next allocation of the same size instead of going back to the system allocator
/// (which, for large blocks, maps and unmaps pages and zero-fills them each time).
/// Only buffers of at least `minimumPooledCount` floats are pooled, and the pool keeps at
/// most `capacityInBytes` bytes; anything beyond is freed at once.
public final class BufferPool: @unchecked Sendable {
    /// The pool used by every tensor.
    public static let shared = BufferPool()

    /// Smaller buffers go straight to `malloc`, which is fast for them.
    public let minimumPooledCount = 4096

    private let lock = NSLock()
    private var freeBuffers: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledBytes = 0
    private var limitBytes = 512 << 20

    /// The most memory the pool keeps for reuse (default 512 MiB); lowering it frees the excess.
    public var capacityInBytes: Int {
        get { lock.withLock { limitBytes } }
        set {
            lock.withLock { limitBytes = max(0, newValue) }
            if newValue < pooledByteCount { drain() }
        }
    }

    /// The bytes currently held for reuse.
    public var pooledByteCount: Int { lock.withLock { pooledBytes } }

    /// A buffer for exactly `count` floats, uninitialized, 64-byte aligned.
    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count >= minimumPooledCount {
            let reused: UnsafeMutablePointer<Float>? = lock.withLock {
                guard let pointer = freeBuffers[count]?.popLast() else { return nil }
                pooledBytes -= count * MemoryLayout<Float>.stride
                return pointer
            }
            if let reused { return reused }
        }
        return allocateAlignedFloats(count)
    }

    /// Returns a buffer obtained from `take(count)`.
    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        if count >= minimumPooledCount {
            let bytes = count * MemoryLayout<Float>.stride
            let kept: Bool = lock.withLock {
                guard pooledBytes + bytes <= limitBytes else { return false }
                freeBuffers[count, default: []].append(pointer)
                pooledBytes += bytes
                return true
            }
            if kept { return }
        }
        free(pointer)
    }

    /// Frees every pooled buffer.
    public func drain() {
        let buffers: [UnsafeMutablePointer<Float>] = lock.withLock {
            let all = freeBuffers.values.flatMap { $0 }
            freeBuffers = [:]
            pooledBytes = 0
            return all
        }
        buffers.forEach { free($0) }
    }
}
