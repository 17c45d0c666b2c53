/// Elementwise max(0, x), computed by oneDNN.
public func relu(_ x: Tensor) -> Tensor {
    Tensor.activation(x, .relu)
}
