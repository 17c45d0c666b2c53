import Foundation

/// An owned, 64-byte aligned, uninitialized byte buffer (scratchpads, workspaces, reordered weights).
public final class AlignedBuffer: @unchecked Sendable {
    /// Alignment of every buffer, in bytes (cache line and AVX-512 vector size).
    public static let alignment = 64

    /// Start of the buffer.
    public let pointer: UnsafeMutableRawPointer
    /// Size in bytes.
    public let byteCount: Int

    /// Allocates `byteCount` bytes (at least one).
    public init(byteCount: Int) {
        self.byteCount = max(byteCount, 1)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: self.byteCount, alignment: Self.alignment)
    }

    deinit { pointer.deallocate() }
}
