/// The loops behind elementwise operations: contiguous maps over one or two tensors and
/// broadcasting binary maps. They record nothing; the operations add the backward.
extension Tensor {
    /// The profile's category of `map` and `combine` (`train --profile`): arithmetic, scalar and
    /// broadcasting operations (bias adds, layer scales, residual adds) and their gradients.
    static let elementwiseProfileCategory = "element-wise arithmetic (Swift)"

    /// `f` applied to every element, split over the cores for large tensors.
    static func map<Function: UnaryFunction>(_ x: Tensor, _ f: Function) -> Tensor {
        let output = Tensor(uninitializedShape: x.shape)
        let source = x.storage.baseAddress, destination = output.storage.baseAddress
        KernelProfile.measure(elementwiseProfileCategory) {
            withExtendedLifetime(x) {
                Parallel.forEachChunk(count: x.scalarCount) { range in
                    for i in range { destination[i] = f(source[i]) }
                }
            }
        }
        return output
    }

    /// `f` applied to pairs of elements of `a` and `b` broadcast together (NumPy rules).
    static func combine<Function: BinaryFunction>(_ a: Tensor, _ b: Tensor, operation: String, _ f: Function) -> Tensor {
        let shape = failing { try broadcastShape(a.shape, b.shape, operation: operation) }
        let output = Tensor(uninitializedShape: shape)
        let x = a.storage.baseAddress, y = b.storage.baseAddress, z = output.storage.baseAddress
        KernelProfile.measure(elementwiseProfileCategory) { withExtendedLifetime((a, b)) {
            if a.shape == b.shape {
                Parallel.forEachChunk(count: output.scalarCount) { range in
                    for i in range { z[i] = f(x[i], y[i]) }
                }
            } else if b.scalarCount == 1, a.shape == shape {
                let scalar = y[0]
                Parallel.forEachChunk(count: output.scalarCount) { range in
                    for i in range { z[i] = f(x[i], scalar) }
                }
            } else if a.scalarCount == 1, b.shape == shape {
                let scalar = x[0]
                Parallel.forEachChunk(count: output.scalarCount) { range in
                    for i in range { z[i] = f(scalar, y[i]) }
                }
            } else {
                let layout = StridedLayout(shape: shape, operandStrides: [
                    contiguousStrides(shape), broadcastStrides(of: a.shape, to: shape), broadcastStrides(of: b.shape, to: shape)])
                let strideX = layout.innerStride(1), strideY = layout.innerStride(2)
                layout.forEachRow(parallel: true) { offsets, length in
                    let out = z + offsets[0], left = x + offsets[1], right = y + offsets[2]
                    switch (strideX, strideY) {
                    case (1, 1): for i in 0..<length { out[i] = f(left[i], right[i]) }
                    case (1, 0): let r = right[0]; for i in 0..<length { out[i] = f(left[i], r) }
                    case (0, 1): let l = left[0]; for i in 0..<length { out[i] = f(l, right[i]) }
                    default: for i in 0..<length { out[i] = f(left[i * strideX], right[i * strideY]) }
                    }
                }
            }
        } }
        return output
    }

    /// Adds `other` (same shape) to this tensor, in place when the storage is not shared (profiled as
    /// "gradient accumulation (Swift adds)", its only use; a shared storage gets a new sum, `combine`'s).
    mutating func addInPlace(_ other: Tensor) {
        guard shape == other.shape else { Tensor.fail(.shapeMismatch(operation: "addInPlace", lhs: shape, rhs: other.shape)) }
        guard isKnownUniquelyReferenced(&storage) else {
            let node = gradientNode
            self = Tensor.combine(self, other, operation: "addInPlace", Addition())
            gradientNode = node
            return
        }
        let destination = storage.baseAddress, source = other.storage.baseAddress
        KernelProfile.measure("gradient accumulation (Swift adds)") {
            withExtendedLifetime(other) {
                Parallel.forEachChunk(count: scalarCount) { range in
                    for i in range { destination[i] += source[i] }
                }
            }
        }
    }
}
