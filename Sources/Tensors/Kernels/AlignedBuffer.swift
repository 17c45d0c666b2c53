import Foundation

/// An owned, 64-byte aligned, uninitialized byte buffer (scratchpads, workspaces, reordered weights).
package final class AlignedBuffer: @unchecked Sendable {
    /// Alignment of every buffer, in bytes (cache line and AVX-512 vector size).
    package static let alignment = 64

    /// Start of the buffer.
    package let pointer: UnsafeMutableRawPointer
    /// Size in bytes.
    package let byteCount: Int

    /// Allocates `byteCount` bytes (at least one).
    package init(byteCount: Int) {
        self.byteCount = max(byteCount, 1)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: self.byteCount, alignment: Self.alignment)
    }

    deinit { pointer.deallocate() }
}
