import Foundation

/// A free list of released tensor buffers, keyed by their exact float count.
///
/// Training repeats the same shapes every step, so a buffer released by one step is handed
/// to the next allocation of the same size instead of going back to the system allocator
/// (which, for large blocks, maps and unmaps pages and zero-fills them each time).
/// Only buffers of at least `minimumPooledCount` floats are pooled, and the pool keeps at
/// most `capacityInBytes` bytes, freeing buffers of other sizes to make room for new ones.
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

    /// Returns a buffer obtained from `take(count)`. When the pool is full, buffers of other
    /// sizes are freed to make room, so the pool follows the sizes currently in use.
    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        guard count >= minimumPooledCount else {
            free(pointer)
            return
        }
        let bytes = count * MemoryLayout<Float>.stride
        let unwanted: [UnsafeMutablePointer<Float>] = lock.withLock {
            guard bytes <= limitBytes else { return [pointer] }
            var evicted: [UnsafeMutablePointer<Float>] = []
            while pooledBytes + bytes > limitBytes,
                  let size = freeBuffers.first(where: { $0.key != count && !$0.value.isEmpty })?.key {
                evicted.append(freeBuffers[size]!.removeLast())
                if freeBuffers[size]!.isEmpty { freeBuffers[size] = nil }
                pooledBytes -= size * MemoryLayout<Float>.stride
            }
            guard pooledBytes + bytes <= limitBytes else { return evicted + [pointer] }
            freeBuffers[count, default: []].append(pointer)
            pooledBytes += bytes
            return evicted
        }
        unwanted.forEach { free($0) }
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
