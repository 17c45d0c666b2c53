extension Tensor {
    /// A `[..., c]` tensor whose channels `overwriteChannels(at:with:)` writes later, each before it is
    /// read: its floats start uninitialized (zero-filling a dense block's buffer was one more pass
    /// over it on every step).
    package static func channelBuffer(shape: [Int]) -> Tensor {
        Tensor(uninitializedShape: shape)
    }

    /// Writes `source [..., k]` into channels `offset ..< offset + k` of this `[..., c]` tensor, in its
    /// storage as it is: shared or not, there is no copy on write. For a dense block's channel buffer
    /// (`DenseFeatureBuffer`), which each layer's output is appended to while earlier layers' saved
    /// copies of the buffer (their backward passes read its leading channels) share its storage: the
    /// caller guarantees that no reader of this storage reads those channels before they are written.
    package func overwriteChannels(at offset: Int, with source: Tensor) {
        let width = shape[rank - 1], added = source.shape[source.rank - 1]
        precondition(source.shape.dropLast() == shape.dropLast() && offset >= 0 && offset + added <= width,
                     "overwriteChannels: \(source.shape) at channel \(offset) of \(shape)")
        let pixels = source.scalarCount / Swift.max(added, 1)
        withExtendedLifetime((self, source)) {
            let from = UnsafePointer(source.storage.baseAddress), to = storage.baseAddress + offset
            KernelProfile.measure("dense channel buffer writes (Swift)") {
                Parallel.forEachChunk(count: pixels, costPerItem: added) { range in
                    for pixel in range {
                        let row = from + pixel * added, target = to + pixel * width
                        for channel in 0..<added { target[channel] = row[channel] }
                    }
                }
            }
        }
    }
}
