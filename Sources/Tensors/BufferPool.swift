import Foundation

/// A free list of released tensor buffers, keyed by their float count.
///
/// Training repeats the same shapes every step, so a buffer released by one step is handed
/// to the next allocation of the same size instead of going back to the system allocator
/// (which, for large blocks, maps and unmaps pages and zero-fills them each time).
/// Only buffers of at least `minimumPooledCount` floats are pooled, and the pool keeps at
/// most `capacityInBytes` bytes, freeing buffers of other sizes to make room for new ones.
///
/// The capacity must hold a training step's activations: a step allocates them all in the
/// forward pass and releases them at its end, and whatever the pool cannot keep comes back as
/// fresh pages that the kernel maps and zero-fills on first touch. With 512 MiB, a batch of 32
/// through EfficientNet-Lite0 (about 2.4 GiB of activations) spent more time in the kernel than
/// in the engine: 4.0 s a step (15.7 s system time over 5 steps) against 0.94 s with 4 GiB, for
/// 7 % more peak memory (2,633 against 2,458 MiB; AMD EPYC Zen 4, 2 cores).
///
/// When no buffer of the exact size is free, the smallest free one of up to `largestReuseRatio`
/// times the size serves (best fit). Keyed by exact size alone, the pool ends up holding, for every
/// size, as many buffers as were ever alive together, which for a network of many sizes is far more
/// than was ever alive at once. Replaying one training step's allocations at batch 16 (MiB alive at
/// once / kept by exact size / kept with best fit up to 1.5x; AMD EPYC Zen 4, 2026-12-06):
/// DenseNet-201 3,304 / 4,222 / 3,446 (bf16 2,582 / 4,296 / 3,397), EfficientNet-Lite0 895 / 1,105 /
/// 1,033 (bf16 722 / 1,115 / 1,012), ConvNeXt-Tiny 2,206 / 2,351 / 2,344 (bf16 1,860 / 2,133 / 2,129).
/// Other bounds for DenseNet-201 and EfficientNet-Lite0 FP32: 1.1x 3,569 and 1,105, 1.25x 3,434 and
/// 1,064, 2x 3,551 and 1,039, 4x 3,779 and 1,077; size classes of 2^(1/4) to 2^(1/16) instead of
/// exact sizes 3,847–4,014 and 1,133–1,211. `training-benchmark`'s peak resident memory,
/// batch 16: DenseNet-201 FP32 4,542 → 3,699 MiB, EfficientNet-Lite0 FP32 1,208 → 1,137, bf16
/// 1,201 → 1,102.
public final class BufferPool: @unchecked Sendable {
    /// The pool used by every tensor.
    public static let shared = BufferPool()

    /// Smaller buffers go straight to `malloc`, which is fast for them.
    public let minimumPooledCount = 4096

    /// A free buffer serves requests down to 1 / `largestReuseRatio` of its size.
    static let largestReuseRatio = 1.5

    private let lock = NSLock()
    private var freeBuffers: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledBytes = 0
    private var limitBytes = BufferPool.defaultCapacity(physicalMemory: ProcessInfo.processInfo.physicalMemory)

    /// A quarter of the machine's memory, at least 512 MiB (6 GiB on a 24 GiB machine).
    public static func defaultCapacity(physicalMemory: UInt64) -> Int {
        max(512 << 20, Int(clamping: physicalMemory / 4))
    }

    /// The most memory the pool keeps for reuse (default `defaultCapacity`); lowering it frees the excess.
    public var capacityInBytes: Int {
        get { lock.withLock { limitBytes } }
        set {
            lock.withLock { limitBytes = max(0, newValue) }
            if newValue < pooledByteCount { drain() }
        }
    }

    /// Allocations of a poolable size (at least `minimumPooledCount` floats) that the pool could not
    /// serve, since the process started: in a training loop it stops growing after the first step.
    package var freshAllocationCount: Int { lock.withLock { freshPooledSizeAllocations } }
    private var freshPooledSizeAllocations = 0

    /// The bytes currently held for reuse.
    public var pooledByteCount: Int { lock.withLock { pooledBytes } }

    /// A buffer for at least `count` floats, uninitialized, 64-byte aligned, and the number of
    /// floats it holds (`count`, or more for a reused larger buffer), which `give` takes back.
    func take(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        if count >= minimumPooledCount {
            let reused: (UnsafeMutablePointer<Float>, Int)? = lock.withLock {
                let largest = Int(Double(count) * Self.largestReuseRatio)
                let size = freeBuffers[count]?.isEmpty == false ? count
                    : freeBuffers.lazy.filter { $0.key > count && $0.key <= largest && !$0.value.isEmpty }.map(\.key).min()
                guard let size, let pointer = freeBuffers[size]?.popLast() else {
                    freshPooledSizeAllocations += 1
                    return nil
                }
                pooledBytes -= size * MemoryLayout<Float>.stride
                return (pointer, size)
            }
            if let reused { return reused }
        }
        return (allocateAlignedFloats(count), count)
    }

    /// Returns a buffer obtained from `take`, with the capacity `take` reported. When the pool is
    /// full, buffers of other sizes are freed to make room, so the pool follows the sizes in use.
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
