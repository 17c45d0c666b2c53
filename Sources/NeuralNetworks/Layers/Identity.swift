import Tensors

/// The input unchanged, PyTorch's `nn.Identity`.
public final class Identity: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}
