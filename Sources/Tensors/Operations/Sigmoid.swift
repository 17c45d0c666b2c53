/// Elementwise 1 / (1 + exp(-x)), computed by oneDNN.
public func sigmoid(_ x: Tensor) -> Tensor {
    Tensor.activation(x, .sigmoid)
}
