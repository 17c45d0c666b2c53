/// One tensor read from a weight file: its shape and its values as `Float`,
/// contiguous and row-major in PyTorch's logical order (the last index varies fastest).
///
/// Every element type is converted to `Float`: float16, bfloat16 and float32 exactly, float64 rounded
/// to nearest, integer and bool tensors (such as BatchNorm's int64 `num_batches_tracked`) by value —
/// exact for magnitudes up to 2^24.
public struct NamedArray: Sendable, Equatable {
    /// Size of each dimension; `[]` for a scalar.
    public var shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public var values: [Float]

    /// A tensor of `shape` holding `values` in row-major order (their count should be the shape's product).
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// Number of elements the shape describes (`Int.max` if the product overflows).
    public var elementCount: Int { StridedViewArithmetic.elementCount(shape) ?? .max }
}

/// Tensors by their state-dict key (e.g. `"features.conv0.weight"`).
public typealias StateDict = [String: NamedArray]

extension Dictionary where Key == String, Value == NamedArray {
    /// Throws unless every value of every tensor is finite. The file formats carry NaN and
    /// infinities faithfully; the toolkit refuses to save, import or load network weights that
    /// hold one (the first, by key order, is named).
    /// - Throws: `WeightFileError.nonFinite` naming `source`, the tensor and the element.
    public func checkFinite(source: String) throws {
        for name in keys.sorted() {
            guard let values = self[name]?.values, let index = values.firstIndex(where: { !$0.isFinite }) else { continue }
            throw WeightFileError.nonFinite(source: source, tensor: name, index: index, value: values[index])
        }
    }
}
