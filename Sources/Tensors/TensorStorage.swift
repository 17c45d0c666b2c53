/// The contiguous, 64-byte aligned Float buffer behind one or more tensors.
///
/// Tensors share a storage until one of them is mutated (copy-on-write); reshaping shares it.
/// The buffer comes from `BufferPool.shared` and returns there when the storage is released.
public final class TensorStorage {
    /// The first float; valid while the storage is alive.
    public let baseAddress: UnsafeMutablePointer<Float>
    /// The number of floats.
    public let count: Int

    /// The floats of the buffer, `count` or more (a larger pooled buffer reused).
    private let capacity: Int

    /// A storage of `count` uninitialized floats.
    init(uninitializedCount count: Int) {
        self.count = count
        (baseAddress, capacity) = BufferPool.shared.take(count)
    }

    /// A storage of `count` zeros.
    convenience init(zeroedCount count: Int) {
        self.init(uninitializedCount: count)
        baseAddress.update(repeating: 0, count: count)
    }

    /// A copy of this storage's floats.
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.baseAddress.update(from: baseAddress, count: count)
        return result
    }

    deinit {
        BufferPool.shared.give(baseAddress, count: capacity)
    }
}
