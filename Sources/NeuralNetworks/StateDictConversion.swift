import Tensors
import WeightFiles

/// Conversions between engine tensors and the arrays of weight files.
extension NamedArray {
    /// The shape and elements of `tensor`.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: tensor.scalars)
    }
}

extension Tensor {
    /// A tensor with the shape and values of `array`.
    /// - Throws: `TensorError` when the value count does not fit the shape.
    public init(_ array: NamedArray) throws {
        try self.init(shape: array.shape, scalars: array.values)
    }
}
