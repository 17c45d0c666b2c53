/// Elementwise (e^x - e^-x) / (e^x + e^-x), computed by oneDNN (the backward reads the output: 1 - tanh²).
public func tanh(_ x: Tensor) -> Tensor {
    Tensor.activation(x, .tanh)
}
