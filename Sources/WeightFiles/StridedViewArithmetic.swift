/// Index arithmetic for PyTorch's strided tensors (size, stride, storage offset, all in elements).
enum StridedViewArithmetic {
    /// Number of elements of `shape`, or nil if the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Storage elements a view needs: one past the largest index it touches (`offset` if it is empty),
    /// or nil if the arithmetic overflows. Sizes and strides must be non-negative.
    static func extent(shape: [Int], strides: [Int], offset: Int) -> Int? {
        guard let count = elementCount(shape) else { return nil }
        if count == 0 { return offset }
        var last = offset
        for (size, stride) in zip(shape, strides) {
            let (step, overflow) = (size - 1).multipliedReportingOverflow(by: stride)
            if overflow { return nil }
            let (sum, overflowSum) = last.addingReportingOverflow(step)
            if overflowSum { return nil }
            last = sum
        }
        let (extent, overflow) = last.addingReportingOverflow(1)
        return overflow ? nil : extent
    }

    /// Copies the view (`shape`, `strides`, `offset`) of `storage` into a contiguous row-major array.
    /// The caller checked `extent(...) <= storage.count`.
    static func gather(_ storage: [Float], shape: [Int], strides: [Int], offset: Int) -> [Float] {
        let count = shape.reduce(1, *)
        if count == 0 { return [] }
        if strides == rowMajorStrides(shape) {
            return Array(storage[offset..<(offset + count)])
        }
        let rank = shape.count
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            storage.withUnsafeBufferPointer { input in
                var index = [Int](repeating: 0, count: rank)
                var position = offset
                for flat in 0..<count {
                    output[flat] = input[position]
                    // Advance the multi-index like an odometer, last dimension fastest.
                    var dimension = rank - 1
                    while dimension >= 0 {
                        index[dimension] += 1
                        position += strides[dimension]
                        if index[dimension] < shape[dimension] { break }
                        position -= strides[dimension] * shape[dimension]
                        index[dimension] = 0
                        dimension -= 1
                    }
                }
            }
            initialized = count
        }
    }

    /// Strides of a contiguous row-major tensor of `shape`.
    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for dimension in shape.indices.reversed() {
            strides[dimension] = step
            step *= shape[dimension]
        }
        return strides
    }
}
