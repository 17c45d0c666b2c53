import Tensors

/// Flattens each sample to a vector, PyTorch's `nn.Flatten()` on NCHW data: NHWC activations
/// `[batch, height, width, channels]` become `[batch, channels · height · width]` in PyTorch's
/// channel-major order, so a following `Linear` takes PyTorch's weights unchanged. Other ranks
/// flatten in row-major order.
public final class Flatten: Layer {
    public var isTraining = true
    public init() {}

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard x.rank == 4, x.shape[1] * x.shape[2] > 1 else { return x.flattened() }
        return x.permuted(0, 3, 1, 2).flattened()
    }
}
