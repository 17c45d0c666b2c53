import Tensors

/// A network building block, a class like PyTorch's `nn.Module`.
///
/// A layer declares what it owns directly, each under its PyTorch attribute name, so that the
/// dotted keys of `namedParameters()`, `namedBuffers()` and `stateDict()` equal the keys of the
/// PyTorch model's `state_dict()` and weights move between the two unchanged:
///
/// ```swift
/// final class Block: Layer {
///     let conv: Conv2d, norm: BatchNorm2d
///     var isTraining = true
///     var children: [(name: String, layer: any Layer)] { [("conv", conv), ("norm", norm)] }
///     func callAsFunction(_ x: Tensor) -> Tensor { relu(norm(conv(x))) }
/// }
/// ```
///
/// Keys are then `conv.weight`, `norm.running_mean`, ... Every requirement except `isTraining`
/// and `callAsFunction` has an empty default. Tensors are NHWC, but weights keep PyTorch's
/// shapes (convolutions `[out, in / groups, kH, kW]`, linear `[out, in]`).
public protocol Layer: AnyObject {
    /// Trainable tensors this layer owns itself (not its children's), e.g. `("weight", ...)`.
    var localParameters: [(name: String, parameter: Parameter)] { get }
    /// Non-trainable state this layer owns itself, e.g. `("running_mean", ...)`.
    var localBuffers: [(name: String, buffer: Buffer)] { get }
    /// Sub-layers in PyTorch's registration order, e.g. `("features", ...)` or `("0", ...)`.
    var children: [(name: String, layer: any Layer)] { get }
    /// Training mode (batch statistics, dropout) versus evaluation mode; set recursively by
    /// `train()` and `eval()`. New layers are in training mode, as in PyTorch.
    var isTraining: Bool { get set }
    /// The layer's output for `x`.
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension Layer {
    public var localParameters: [(name: String, parameter: Parameter)] { [] }
    public var localBuffers: [(name: String, buffer: Buffer)] { [] }
    public var children: [(name: String, layer: any Layer)] { [] }
}
