/// Sums, means and maxima over all elements or along axes, and the arg-max.
extension Tensor {
    /// The sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor { summed(toShape: []) }

    /// The sums along `axes`; reduced axes are kept with extent 1 when `keepingDimensions`.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, operation: "sum(alongAxes:)")
        let kept = shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
        let total = summed(toShape: kept)
        return keepingDimensions ? total : total.reshaped(to: shape.indices.filter { !axes.contains($0) }.map { shape[$0] })
    }

    /// The sums along `axes`; reduced axes are kept with extent 1 when `keepingDimensions`.
    public func sum(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    /// The mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor { sum() / Float(scalarCount) }

    /// The means along `axes`; reduced axes are kept with extent 1 when `keepingDimensions`.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let count = normalizedAxes(axes, operation: "mean(alongAxes:)").reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(count)
    }

    /// The means along `axes`; reduced axes are kept with extent 1 when `keepingDimensions`.
    public func mean(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    /// The maximum of all elements, as a rank-0 tensor; the gradient goes to the first maximum.
    public func max() -> Tensor {
        reshaped(to: [scalarCount]).max(alongAxis: 0)
    }

    /// The maxima along `axis`; the gradient of each goes to the first element attaining it.
    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis, operation: "max(alongAxis:)")
        guard shape[axis] > 0 else { Tensor.fail(.invalidShape(operation: "max(alongAxis: \(axis))", shape: shape, expected: "a non-empty axis")) }
        var reducedShape = shape
        reducedShape[axis] = 1
        let (outer, extent, inner) = outerAxisInner(axis)
        let values = Tensor(uninitializedShape: keepingDimensions ? reducedShape : shape.enumerated().filter { $0.offset != axis }.map(\.element))
        var indices = [Int32](repeating: 0, count: outer * inner)
        indices.withUnsafeMutableBufferPointer { indices in
            Tensor.findMaxima(of: self, outer: outer, extent: extent, inner: inner,
                              values: values.storage.baseAddress, indices: indices.baseAddress!)
        }
        guard Tensor.shouldRecord(self) else { return values }
        let inputShape = shape, maximumIndices = indices
        return values.recording("max(alongAxis:)", inputs: [self]) { gradient in
            let inputGradient = Tensor.zeros(inputShape)
            let source = gradient.storage.baseAddress, destination = inputGradient.storage.baseAddress
            withExtendedLifetime(gradient) {
                for o in 0..<outer {
                    for i in 0..<inner {
                        let position = o * inner + i
                        destination[(o * extent + Int(maximumIndices[position])) * inner + i] = source[position]
                    }
                }
            }
            return [inputGradient]
        }
    }

    /// The position of the first maximum along `axis`, for every position of the other axes
    /// in row-major order (for logits `[N, C]` and axis 1: the predicted class of each row).
    public func argmax(alongAxis axis: Int) -> [Int] {
        let axis = normalizedAxis(axis, operation: "argmax(alongAxis:)")
        guard shape[axis] > 0 else { Tensor.fail(.invalidShape(operation: "argmax(alongAxis: \(axis))", shape: shape, expected: "a non-empty axis")) }
        let (outer, extent, inner) = outerAxisInner(axis)
        let values = UnsafeMutablePointer<Float>.allocate(capacity: outer * inner)
        defer { values.deallocate() }
        var indices = [Int32](repeating: 0, count: outer * inner)
        indices.withUnsafeMutableBufferPointer { indices in
            Tensor.findMaxima(of: self, outer: outer, extent: extent, inner: inner, values: values, indices: indices.baseAddress!)
        }
        return indices.map(Int.init)
    }

    /// Writes the maximum over the middle axis of the `[outer, extent, inner]` view of `x` and
    /// the index of its first occurrence.
    private static func findMaxima(of x: Tensor, outer: Int, extent: Int, inner: Int,
                                   values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        let source = x.storage.baseAddress
        withExtendedLifetime(x) {
            Parallel.forEachChunk(count: outer, costPerItem: extent * inner) { range in
                for o in range {
                    let best = values + o * inner, bestIndex = indices + o * inner
                    let block = source + o * extent * inner
                    best.update(from: block, count: inner)
                    bestIndex.update(repeating: 0, count: inner)
                    for k in 1..<Swift.max(extent, 1) {
                        let row = block + k * inner
                        for i in 0..<inner where row[i] > best[i] {
                            best[i] = row[i]
                            bestIndex[i] = Int32(k)
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// The sum of the squared elements, as a rank-0 tensor (in one pass, without an intermediate).
    public func squaredSum() -> Tensor {
        var total = 0.0
        withUnsafeBufferPointer { values in
            for value in values { total += Double(value * value) }
        }
        let output = Tensor(Float(total))
        guard Tensor.shouldRecord(self) else { return output }
        let input = detached()
        return output.recording("squaredSum", inputs: [self]) { gradient in [input * (2 * gradient.scalar)] }
    }
}
