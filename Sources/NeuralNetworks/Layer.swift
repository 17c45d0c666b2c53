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
///     var children: [NamedLayer] { [("conv", conv), ("norm", norm)] }
///     func callAsFunction(_ x: Tensor) -> Tensor { relu(norm(conv(x))) }
/// }
/// ```
///
/// Keys are then `conv.weight`, `norm.running_mean`, ... Every requirement except `isTraining`
/// and `callAsFunction` has an empty default, so declare them with exactly these types
/// (`[NamedParameter]`, `[NamedBuffer]`, `[NamedLayer]`): a property of another type, such as an
/// unlabeled tuple array, would not replace the default and its entries would be ignored.
/// Tensors are NHWC, but weights keep PyTorch's shapes (convolutions `[out, in / groups, kH, kW]`,
/// linear `[out, in]`).
public protocol Layer: AnyObject {
    /// A parameter under its PyTorch attribute name.
    typealias NamedParameter = (name: String, parameter: Parameter)
    /// A buffer under its PyTorch attribute name.
    typealias NamedBuffer = (name: String, buffer: Buffer)
    /// A sub-layer under its PyTorch attribute name.
    typealias NamedLayer = (name: String, layer: any Layer)

    /// Trainable tensors this layer owns itself (not its children's), e.g. `("weight", ...)`.
    var localParameters: [NamedParameter] { get }
    /// Non-trainable state this layer owns itself, e.g. `("running_mean", ...)`.
    var localBuffers: [NamedBuffer] { get }
    /// Sub-layers in PyTorch's registration order, e.g. `("features", ...)` or `("0", ...)`.
    var children: [NamedLayer] { get }
    /// Training mode (batch statistics, dropout) versus evaluation mode; set recursively by
    /// `train()` and `eval()`. New layers are in training mode, as in PyTorch.
    var isTraining: Bool { get set }
    /// The layer's output for `x`.
    func callAsFunction(_ x: Tensor) -> Tensor
}

extension Layer {
    public var localParameters: [NamedParameter] { [] }
    public var localBuffers: [NamedBuffer] { [] }
    public var children: [NamedLayer] { [] }
}
