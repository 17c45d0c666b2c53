import Dispatch

/// NumPy broadcasting: shapes are aligned on their last axes, and an axis of extent 1 (or a
/// missing leading axis) stretches to the other operand's extent.
extension Tensor {
    /// The broadcast shape of `lhs` and `rhs`.
    /// - Throws: `TensorError.shapeMismatch` naming `operation` and both shapes.
    public static func broadcastShape(_ lhs: [Int], _ rhs: [Int], operation: String) throws -> [Int] {
        if lhs == rhs { return lhs }
        let rank = Swift.max(lhs.count, rhs.count)
        var result = Array(repeating: 1, count: rank)
        for axis in 0..<rank {
            let l = axis < rank - lhs.count ? 1 : lhs[axis - (rank - lhs.count)]
            let r = axis < rank - rhs.count ? 1 : rhs[axis - (rank - rhs.count)]
            guard l == r || l == 1 || r == 1 else { throw TensorError.shapeMismatch(operation: operation, lhs: lhs, rhs: rhs) }
            result[axis] = l == 1 ? r : l
        }
        return result
    }

    /// The strides with which a contiguous tensor of `shape` is read when broadcast to `target`
    /// (0 along stretched axes and missing leading axes).
    static func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
        let own = contiguousStrides(shape)
        let offset = target.count - shape.count
        return target.indices.map { axis in
            axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
        }
    }

    /// Whether `shape` broadcasts to `target` without changing `target`.
    static func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
        guard shape.count <= target.count else { return false }
        let offset = target.count - shape.count
        return shape.indices.allSatisfy { shape[$0] == 1 || shape[$0] == target[$0 + offset] }
    }

    /// This tensor repeated along stretched axes to `shape` (NumPy `broadcast_to`).
    public func broadcasted(to targetShape: [Int]) -> Tensor {
        if shape == targetShape { return self }
        guard Tensor.broadcasts(shape, to: targetShape) else {
            Tensor.fail(.shapeMismatch(operation: "broadcasted(to:)", lhs: shape, rhs: targetShape))
        }
        let output = Tensor(uninitializedShape: targetShape)
        let layout = StridedLayout(shape: targetShape, operandStrides: [
            contiguousStrides(targetShape), Tensor.broadcastStrides(of: shape, to: targetShape)])
        let source = storage.baseAddress, destination = output.storage.baseAddress
        let sourceStride = layout.innerStride(1)
        withExtendedLifetime(self) {
            layout.forEachRow(parallel: true) { offsets, length in
                let out = destination + offsets[0], input = source + offsets[1]
                if sourceStride == 0 {
                    out.update(repeating: input[0], count: length)
                } else {
                    for i in 0..<length { out[i] = input[i * sourceStride] }
                }
            }
        }
        guard Tensor.shouldRecord(self) else { return output }
        let sourceShape = shape
        return output.recording("broadcasted(to:)", inputs: [self]) { gradient in
            [gradient.summed(toShape: sourceShape)]
        }
    }

    /// This tensor summed over the axes along which `shape` was broadcast to this tensor's
    /// shape: the adjoint of `broadcasted(to:)`, used by the backward of broadcasting operations.
    public func summed(toShape targetShape: [Int]) -> Tensor {
        if shape == targetShape { return self }
        guard Tensor.broadcasts(targetShape, to: shape) else {
            Tensor.fail(.shapeMismatch(operation: "summed(toShape:)", lhs: shape, rhs: targetShape))
        }
        let output = Tensor(shape: targetShape, repeating: 0)
        let layout = StridedLayout(shape: shape, operandStrides: [
            contiguousStrides(shape), Tensor.broadcastStrides(of: targetShape, to: shape)])
        KernelProfile.measure("broadcast sums (Swift: bias gradients, reductions)") {
            withExtendedLifetime(self) {
                Tensor.accumulateSums(from: storage.baseAddress, layout: layout,
                                      into: output.storage.baseAddress, outputCount: output.scalarCount)
            }
        }
        guard Tensor.shouldRecord(self) else { return output }
        let sourceShape = shape
        return output.recording("summed(toShape:)", inputs: [self]) { gradient in
            [gradient.broadcasted(to: sourceShape)]
        }
    }

    /// Adds the input rows of `layout` (operand 0: source, operand 1: destination, with stride 0
    /// along summed axes) into `destination`. Large reductions to a small output are split
    /// over the cores, each core summing into its own copy of the output.
    private static func accumulateSums(from source: UnsafePointer<Float>, layout: StridedLayout,
                                       into destination: UnsafeMutablePointer<Float>, outputCount: Int) {
        let sourceStride = layout.innerStride(0), destinationStride = layout.innerStride(1)
        func addRows(_ rows: Range<Int>, into target: UnsafeMutablePointer<Float>) {
            layout.forEachRow(in: rows) { offsets, length in
                let input = source + offsets[0], out = target + offsets[1]
                if destinationStride == 0, sourceStride == 1 {
                    out[0] += Float(contiguousSum(input, count: length))
                } else if destinationStride == 0 {
                    var total: Double = 0
                    for i in 0..<length { total += Double(input[i * sourceStride]) }
                    out[0] += Float(total)
                } else {
                    for i in 0..<length { out[i * destinationStride] += input[i * sourceStride] }
                }
            }
        }
        let rows = layout.rowCount, inputCount = rows * layout.rowLength
        if rows == 1, destinationStride == 0, sourceStride == 1, inputCount >= Parallel.minimumParallelCount {
            var partials = [Double](repeating: 0, count: Parallel.workerCount)
            partials.withUnsafeMutableBufferPointer { partials in
                DispatchQueue.concurrentPerform(iterations: Parallel.workerCount) { chunk in
                    let start = inputCount * chunk / Parallel.workerCount, end = inputCount * (chunk + 1) / Parallel.workerCount
                    partials[chunk] = contiguousSum(source + start, count: end - start)
                }
            }
            destination[0] += Float(partials.reduce(0, +))
            return
        }
        guard rows >= Parallel.workerCount, inputCount >= Parallel.minimumParallelCount, outputCount * 8 <= inputCount else {
            addRows(0..<rows, into: destination)
            return
        }
        let partials = (1..<Parallel.workerCount).map { _ in TensorStorage(zeroedCount: outputCount) }
        DispatchQueue.concurrentPerform(iterations: Parallel.workerCount) { chunk in
            let chunkRows = (rows * chunk / Parallel.workerCount)..<(rows * (chunk + 1) / Parallel.workerCount)
            addRows(chunkRows, into: chunk == 0 ? destination : partials[chunk - 1].baseAddress)
        }
        for partial in partials {
            for i in 0..<outputCount { destination[i] += partial.baseAddress[i] }
        }
    }
}

/// The sum of `count` consecutive floats: 16 lanes in Float over blocks of 1024 elements,
/// blocks added in Double, so long sums stay accurate and vectorized.
func contiguousSum(_ values: UnsafePointer<Float>, count: Int) -> Double {
    var total = 0.0
    var blockStart = 0
    while blockStart < count {
        let blockEnd = Swift.min(blockStart + 1024, count)
        var lanes = SIMD16<Float>()
        var i = blockStart
        while i + 16 <= blockEnd {
            lanes += UnsafeRawPointer(values + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var blockTotal = lanes.sum()
        while i < blockEnd {
            blockTotal += values[i]
            i += 1
        }
        total += Double(blockTotal)
        blockStart = blockEnd
    }
    return total
}
