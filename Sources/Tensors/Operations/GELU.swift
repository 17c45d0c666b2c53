/// Elementwise x * Phi(x) with the exact (erf) normal CDF, PyTorch's default GELU, computed by oneDNN.
public func gelu(_ x: Tensor) -> Tensor {
    Tensor.activation(x, .gelu)
}
