/// The row-by-row walk over an n-d index space shared by several operands, each with its own
/// element strides (0 along broadcast axes). Used by broadcasting, reductions, permutations
/// and slicing.
///
/// Axes of extent 1 are dropped and adjacent axes that are contiguous for every operand are
/// merged, so that the innermost row is as long as possible; `forEachRow` then hands out one
/// offset per operand and the row length, and the kernel loops over the row with `innerStrides`.
struct StridedLayout {
    /// The merged extents; the last one is the row length.
    private(set) var extents: [Int]
    /// The strides of operand `o` along merged axis `d` at `strides[o * rank + d]`.
    private(set) var strides: [Int]
    let operandCount: Int

    /// A walk over `shape` where operand `o` moves by `operandStrides[o][d]` along axis `d`.
    init(shape: [Int], operandStrides: [[Int]]) {
        operandCount = operandStrides.count
        let keptAxes = shape.indices.filter { shape[$0] != 1 }
        var mergedExtents: [Int] = []
        var mergedStrides: [[Int]] = Array(repeating: [], count: operandCount)
        for axis in keptAxes {
            let canMerge = !mergedExtents.isEmpty && (0..<operandCount).allSatisfy {
                mergedStrides[$0].last! == operandStrides[$0][axis] * shape[axis]
            }
            if canMerge {
                mergedExtents[mergedExtents.count - 1] *= shape[axis]
                for o in 0..<operandCount { mergedStrides[o][mergedStrides[o].count - 1] = operandStrides[o][axis] }
            } else {
                mergedExtents.append(shape[axis])
                for o in 0..<operandCount { mergedStrides[o].append(operandStrides[o][axis]) }
            }
        }
        if mergedExtents.isEmpty {
            mergedExtents = [shape.contains(0) ? 0 : 1]
            mergedStrides = Array(repeating: [0], count: operandCount)
        }
        extents = mergedExtents
        strides = mergedStrides.flatMap { $0 }
    }

    var rank: Int { extents.count }
    /// The length of each row.
    var rowLength: Int { extents[rank - 1] }
    /// The number of rows.
    var rowCount: Int { extents.dropLast().reduce(1, *) }

    /// The stride of `operand` within a row.
    func innerStride(_ operand: Int) -> Int { strides[operand * rank + rank - 1] }

    /// Calls `body(offsets, rowLength)` for the rows in `rows`, `offsets[o]` being the element
    /// offset of the row's first element in operand `o`.
    func forEachRow(in rows: Range<Int>, _ body: (UnsafePointer<Int>, Int) -> Void) {
        guard !rows.isEmpty, rowLength > 0 else { return }
        let outerRank = rank - 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: outerRank + operandCount) { scratch in
            let counters = scratch.baseAddress!
            let offsets = counters + outerRank
            var remainder = rows.lowerBound
            for axis in stride(from: outerRank - 1, through: 0, by: -1) {
                counters[axis] = remainder % extents[axis]
                remainder /= extents[axis]
            }
            for o in 0..<operandCount {
                var offset = 0
                for axis in 0..<outerRank { offset += counters[axis] * strides[o * rank + axis] }
                offsets[o] = offset
            }
            for _ in rows {
                body(offsets, rowLength)
                var axis = outerRank - 1
                while axis >= 0 {
                    counters[axis] += 1
                    for o in 0..<operandCount { offsets[o] += strides[o * rank + axis] }
                    if counters[axis] < extents[axis] { break }
                    counters[axis] = 0
                    for o in 0..<operandCount { offsets[o] -= strides[o * rank + axis] * extents[axis] }
                    axis -= 1
                }
            }
        }
    }

    /// Calls `forEachRow` over all rows, split over the cores when `parallel` (the rows must
    /// then write disjoint outputs) and the layout is large.
    func forEachRow(parallel: Bool, _ body: (UnsafePointer<Int>, Int) -> Void) {
        if parallel {
            Parallel.forEachChunk(count: rowCount, costPerItem: rowLength) { forEachRow(in: $0, body) }
        } else {
            forEachRow(in: 0..<rowCount, body)
        }
    }
}

/// The row-major strides of a contiguous tensor of `shape`, in elements.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = Array(repeating: 1, count: shape.count)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = step
        step *= shape[axis]
    }
    return strides
}
