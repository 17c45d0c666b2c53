/// Elementwise x * sigmoid(x) (swish), computed by oneDNN.
public func silu(_ x: Tensor) -> Tensor {
    Tensor.activation(x, .silu)
}
