/// Elementwise min(max(0, x), 6), as in MobileNet, computed by oneDNN.
public func relu6(_ x: Tensor) -> Tensor {
    Tensor.activation(x, .relu6)
}
