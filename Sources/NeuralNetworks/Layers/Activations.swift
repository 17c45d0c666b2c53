import Tensors

/// `max(x, 0)`, PyTorch's `nn.ReLU`.
public final class ReLU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { relu(x) }
}

/// `min(max(x, 0), 6)`, PyTorch's `nn.ReLU6`.
public final class ReLU6: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { relu6(x) }
}

/// `x · Φ(x)` with the exact normal CDF, PyTorch's `nn.GELU()`.
public final class GELU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { gelu(x) }
}

/// `x · sigmoid(x)`, PyTorch's `nn.SiLU`.
public final class SiLU: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { silu(x) }
}

/// `1 / (1 + exp(-x))`, PyTorch's `nn.Sigmoid`.
public final class Sigmoid: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { sigmoid(x) }
}

/// `(e^x - e^-x) / (e^x + e^-x)`, PyTorch's `nn.Tanh`.
public final class Tanh: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { tanh(x) }
}
