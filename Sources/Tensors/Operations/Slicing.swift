/// Slicing, concatenation and splitting.
extension Tensor {
    /// The elements in `ranges` along the leading axes (further axes are kept whole).
    public func sliced(_ ranges: [Range<Int>]) -> Tensor {
        guard ranges.count <= rank else {
            Tensor.fail(.invalidArgument(operation: "sliced(_:)", message: "\(ranges.count) ranges for a tensor of shape \(shape)"))
        }
        for (axis, range) in ranges.enumerated() where range.lowerBound < 0 || range.upperBound > shape[axis] {
            Tensor.fail(.invalidArgument(operation: "sliced(_:)", message: "range \(range) is outside axis \(axis) of shape \(shape)"))
        }
        let fullRanges = ranges + shape[ranges.count...].map { 0..<$0 }
        let outputShape = fullRanges.map(\.count)
        let ownStrides = contiguousStrides(shape)
        let start = zip(fullRanges, ownStrides).reduce(0) { $0 + $1.0.lowerBound * $1.1 }
        let output = Tensor(uninitializedShape: outputShape)
        KernelProfile.measure("slice copies (Swift)") {
            withExtendedLifetime(self) {
                Tensor.copyElements(shape: outputShape, from: storage.baseAddress + start, strides: ownStrides,
                                    to: output.storage.baseAddress, strides: contiguousStrides(outputShape))
            }
        }
        guard Tensor.shouldRecord(self) else { return output }
        let inputShape = shape
        return output.recording("sliced(_:)", inputs: [self]) { gradient in
            let inputGradient = Tensor.zeros(inputShape)
            withExtendedLifetime(gradient) {
                Tensor.copyElements(shape: outputShape, from: gradient.storage.baseAddress, strides: contiguousStrides(outputShape),
                                    to: inputGradient.storage.baseAddress + start, strides: ownStrides)
            }
            return [inputGradient]
        }
    }

    /// The elements in `range` along `axis` (other axes whole).
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = normalizedAxis(axis, operation: "sliced(alongAxis:_:)")
        return sliced(shape[..<axis].map { 0..<$0 } + [range])
    }

    /// `tensors` joined along `axis`; their other extents must agree.
    public init(concatenating tensors: [Tensor], alongAxis axis: Int = 0) {
        guard let first = tensors.first else {
            Tensor.fail(.invalidArgument(operation: "Tensor(concatenating:)", message: "no tensors to concatenate"))
        }
        let axis = first.normalizedAxis(axis, operation: "Tensor(concatenating:alongAxis:)")
        for tensor in tensors.dropFirst() {
            var expected = first.shape
            if tensor.rank == first.rank { expected[axis] = tensor.shape[axis] }
            guard tensor.shape == expected else {
                Tensor.fail(.shapeMismatch(operation: "Tensor(concatenating:alongAxis: \(axis))", lhs: first.shape, rhs: tensor.shape))
            }
        }
        let extents = tensors.map { $0.shape[axis] }
        var outputShape = first.shape
        outputShape[axis] = extents.reduce(0, +)
        let output = Tensor(uninitializedShape: outputShape)
        // Every row of the output (one per index of the axes before `axis`) holds each part's chunk in turn.
        let inner = first.shape[(axis + 1)...].reduce(1, *), outer = first.shape[..<axis].reduce(1, *)
        let chunks = extents.map { $0 * inner }
        KernelProfile.measure("concatenation copies (Swift)") {
            withExtendedLifetime(tensors) {
                Tensor.copyRowChunks(whole: output.storage.baseAddress, parts: tensors.map { $0.storage.baseAddress },
                                     chunks: chunks, rows: outer, joining: true)
            }
        }
        guard Tensor.shouldRecord(tensors) else {
            self = output
            return
        }
        let needs = tensors.map(\.requiresGradient), shapes = tensors.map(\.shape)
        self = output.recording("Tensor(concatenating:)", inputs: tensors, accumulatingBackward: { gradient, sums in
            // Each needed part of the gradient added into its input's gathered gradient where that
            // is not shared, else copied out, all in one pass over the rows.
            let targets = GatheredGradientTargets(needs: needs, shapes: shapes, sums: &sums)
            KernelProfile.measure("concatenation gradient copies (Swift)") {
                withExtendedLifetime((gradient, targets.targets)) {
                    Tensor.copyRowChunks(whole: gradient.storage.baseAddress, parts: targets.pointers,
                                         chunks: chunks, rows: outer, joining: false, adding: targets.adding)
                }
            }
            targets.finish(into: &sums)
        })
    }

    /// Copies between a contiguous `whole` of `rows` rows, each holding the parts' chunks side by
    /// side (`chunks[i]` floats of part `i`), and the contiguous parts (`rows` x `chunks[i]` floats
    /// each): parts into the whole when `joining` (a concatenation), else the whole into the parts,
    /// skipping nil ones (its gradient's split), adding to part `i` instead of overwriting it where
    /// `adding[i]` (empty: nowhere). One pass over the rows, split over the cores and taken a group of
    /// rows at a time (about `rowChunkGroupFloats` floats of the whole, within a core's L2 cache),
    /// part by part within a group: a dense block's concatenation of many thin feature maps is one
    /// parallel loop, not one strided pass per part over all the rows, nor a short run per part and row.
    static func copyRowChunks(whole: UnsafeMutablePointer<Float>, parts: [UnsafeMutablePointer<Float>?], chunks: [Int],
                              rows: Int, joining: Bool, adding: [Bool] = []) {
        let rowLength = chunks.reduce(0, +)
        guard rowLength > 0 else { return }
        precondition(adding.isEmpty || (adding.count == parts.count && !joining), "copyRowChunks: adding is one flag per part, when splitting")
        let adding = adding.isEmpty ? [Bool](repeating: false, count: parts.count) : adding
        let rowsPerGroup = Swift.max(1, rowChunkGroupFloats / rowLength)
        parts.withUnsafeBufferPointer { parts in
            chunks.withUnsafeBufferPointer { chunks in
                adding.withUnsafeBufferPointer { adding in
                    Parallel.forEachChunk(count: rows, costPerItem: rowLength) { range in
                        for start in stride(from: range.lowerBound, to: range.upperBound, by: rowsPerGroup) {
                            copyRowChunks(whole: whole + start * rowLength, parts: parts, chunks: chunks,
                                          rows: start..<Swift.min(start + rowsPerGroup, range.upperBound), joining: joining,
                                          adding: adding)
                        }
                    }
                }
            }
        }
    }

    /// About how many floats of the whole `copyRowChunks` copies a group of rows at a time (256 KB).
    static let rowChunkGroupFloats = 65_536

    /// `copyRowChunks` for rows `rows` of the parts, on the calling thread, with `whole` pointing at
    /// the first of those rows, part by part: a part's chunks of these rows are one contiguous run of
    /// it. (Row by row, a DenseNet-201 block-3 layer's batch-norm gradient was added as 48 runs of 32
    /// floats a row, one into each of 48 buffers.)
    @inline(__always)
    static func copyRowChunks(whole: UnsafeMutablePointer<Float>, parts: UnsafeBufferPointer<UnsafeMutablePointer<Float>?>,
                              chunks: UnsafeBufferPointer<Int>, rows: Range<Int>, joining: Bool,
                              adding: UnsafeBufferPointer<Bool>) {
        let rowLength = chunks.reduce(0, +)
        var column = 0
        for index in 0..<parts.count {
            let chunk = chunks[index]
            defer { column += chunk }
            guard let part = parts[index] else { continue }
            var target = part + rows.lowerBound * chunk, position = whole + column
            for _ in rows {
                if joining { position.update(from: target, count: chunk) }
                else if adding[index] { for k in 0..<chunk { target[k] += position[k] } }
                else { target.update(from: position, count: chunk) }
                target += chunk
                position += rowLength
            }
        }
    }

    /// Consecutive pieces along `axis` with the given extents, which must add up to the axis.
    public func split(sizes: [Int], alongAxis axis: Int = 0) -> [Tensor] {
        let axis = normalizedAxis(axis, operation: "split(sizes:alongAxis:)")
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[axis] else {
            Tensor.fail(.invalidArgument(operation: "split(sizes:alongAxis:)", message: "sizes \(sizes) do not add up to axis \(axis) of shape \(shape)"))
        }
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(alongAxis: axis, start..<(start + size))
        }
    }
}
