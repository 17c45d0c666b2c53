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
        withExtendedLifetime(self) {
            Tensor.copyElements(shape: outputShape, from: storage.baseAddress + start, strides: ownStrides,
                                to: output.storage.baseAddress, strides: contiguousStrides(outputShape))
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
        let outputStrides = contiguousStrides(outputShape)
        var position = 0
        for tensor in tensors {
            withExtendedLifetime(tensor) {
                Tensor.copyElements(shape: tensor.shape, from: tensor.storage.baseAddress, strides: contiguousStrides(tensor.shape),
                                    to: output.storage.baseAddress + position * outputStrides[axis], strides: outputStrides)
            }
            position += tensor.shape[axis]
        }
        guard Tensor.shouldRecord(tensors) else {
            self = output
            return
        }
        let needs = tensors.map(\.requiresGradient)
        self = output.recording("Tensor(concatenating:)", inputs: tensors) { gradient in
            var start = 0
            return zip(extents, needs).map { extent, needed in
                defer { start += extent }
                return needed ? gradient.sliced(alongAxis: axis, start..<(start + extent)) : nil
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
