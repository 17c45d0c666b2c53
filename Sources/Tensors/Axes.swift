/// Axis arguments: negative axes count from the end, as in NumPy and PyTorch.
extension Tensor {
    /// `axis` in `0..<rank`, or a failure naming `operation`.
    func normalizedAxis(_ axis: Int, operation: String) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0, normalized < rank else { Tensor.fail(.invalidAxis(operation: operation, axis: axis, rank: rank)) }
        return normalized
    }

    /// The distinct axes in `0..<rank`, ascending, or a failure naming `operation`.
    func normalizedAxes(_ axes: [Int], operation: String) -> [Int] {
        let normalized = axes.map { normalizedAxis($0, operation: operation) }
        guard Set(normalized).count == normalized.count else {
            Tensor.fail(.invalidArgument(operation: operation, message: "axes \(axes) repeat an axis"))
        }
        return normalized.sorted()
    }

    /// The extents before `axis`, at `axis` and after it multiplied out: the `[outer, n, inner]`
    /// view in which a reduction or split along `axis` walks memory.
    func outerAxisInner(_ axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
