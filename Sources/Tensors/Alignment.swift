#if canImport(Glibc)
import Glibc
#endif

/// The alignment of every tensor buffer, in bytes (a cache line; what oneDNN prefers).
public let tensorBufferAlignment = 64

/// Allocates room for `count` floats at `tensorBufferAlignment`; the memory is uninitialized.
func allocateAlignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
    var raw: UnsafeMutableRawPointer?
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    guard posix_memalign(&raw, tensorBufferAlignment, bytes) == 0, let raw else {
        fatalError("Tensor: cannot allocate \(bytes) bytes")
    }
    return raw.bindMemory(to: Float.self, capacity: max(count, 1))
}
