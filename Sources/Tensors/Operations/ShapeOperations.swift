/// Operations that change how elements are arranged: reshape, flatten, permute, transpose.
extension Tensor {
    /// The same elements with another shape; one extent may be -1 (inferred). Shares storage.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        if inferred.count == 1, known > 0, scalarCount % known == 0 { resolved[inferred[0]] = scalarCount / known }
        guard inferred.count <= 1, resolved.allSatisfy({ $0 >= 0 }), resolved.reduce(1, *) == scalarCount else {
            Tensor.fail(.shapeMismatch(operation: "reshaped(to:)", lhs: shape, rhs: newShape))
        }
        let output = viewed(as: resolved)
        guard Tensor.shouldRecord(self) else { return output }
        let originalShape = shape
        return output.recording("reshaped(to:)", inputs: [self]) { gradient in [gradient.reshaped(to: originalShape)] }
    }

    /// The tensor as a matrix `[shape[0], product of the other extents]` (a batch of vectors).
    public func flattened() -> Tensor {
        guard rank >= 1 else { Tensor.fail(.invalidShape(operation: "flattened()", shape: shape, expected: "rank at least 1")) }
        return reshaped(to: [shape[0], shape.dropFirst().reduce(1, *)])
    }

    /// The tensor with its axes reordered: output axis `d` is input axis `axes[d]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        guard axes.count == rank, Set(axes) == Set(0..<rank) else {
            Tensor.fail(.invalidArgument(operation: "permuted(_:)", message: "\(axes) is not a permutation of the axes of a tensor of shape \(shape)"))
        }
        if axes == Array(0..<rank) { return self }
        let ownStrides = contiguousStrides(shape)
        let outputShape = axes.map { shape[$0] }
        let output = Tensor(uninitializedShape: outputShape)
        withExtendedLifetime(self) {
            Tensor.copyElements(shape: outputShape,
                                from: storage.baseAddress, strides: axes.map { ownStrides[$0] },
                                to: output.storage.baseAddress, strides: contiguousStrides(outputShape))
        }
        guard Tensor.shouldRecord(self) else { return output }
        var inverse = axes
        for (position, axis) in axes.enumerated() { inverse[axis] = position }
        return output.recording("permuted(_:)", inputs: [self]) { gradient in [gradient.permuted(inverse)] }
    }

    /// The tensor with its axes reordered: output axis `d` is input axis `axes[d]`.
    public func permuted(_ axes: Int...) -> Tensor { permuted(axes) }

    /// The tensor with its last two axes swapped (the matrix transpose for rank 2).
    public func transposed() -> Tensor {
        guard rank >= 2 else { Tensor.fail(.invalidShape(operation: "transposed()", shape: shape, expected: "rank at least 2")) }
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// Copies the elements of an n-d region of `shape`, reading and writing with the given
    /// element strides; split over the cores when large.
    static func copyElements(shape: [Int], from source: UnsafePointer<Float>, strides sourceStrides: [Int],
                             to destination: UnsafeMutablePointer<Float>, strides destinationStrides: [Int]) {
        let layout = StridedLayout(shape: shape, operandStrides: [destinationStrides, sourceStrides])
        let outStride = layout.innerStride(0), inStride = layout.innerStride(1)
        layout.forEachRow(parallel: true) { offsets, length in
            let out = destination + offsets[0], input = source + offsets[1]
            if outStride == 1, inStride == 1 {
                out.update(from: input, count: length)
            } else {
                for i in 0..<length { out[i * outStride] = input[i * inStride] }
            }
        }
    }
}
