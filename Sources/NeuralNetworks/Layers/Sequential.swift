import Tensors

/// Layers applied in order, PyTorch's `nn.Sequential`: children are named "0", "1", ... or,
/// like `nn.Sequential(OrderedDict(...))`, by the given names (DenseNet's `features.conv0`).
public final class Sequential: Layer {
    /// The layers with their names, in application order.
    public let layers: [NamedLayer]
    public var isTraining = true

    /// Layers named by their position, "0", "1", ...
    public init(_ layers: [any Layer]) {
        self.layers = layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Layers named by their position, "0", "1", ...
    public convenience init(_ layers: any Layer...) {
        self.init(layers)
    }

    /// Layers with explicit names (which must be distinct, as in an `OrderedDict`).
    /// - Throws: `LayerError.invalidConfiguration` for a repeated, empty or dotted name.
    public init(named layers: [(String, any Layer)]) throws {
        var seen = Set<String>()
        for (name, _) in layers {
            try LayerError.check(!name.isEmpty && !name.contains("."), "Sequential", "invalid child name '\(name)'")
            try LayerError.check(seen.insert(name).inserted, "Sequential", "child name '\(name)' appears twice")
        }
        self.layers = layers.map { (name: $0.0, layer: $0.1) }
    }

    public var children: [NamedLayer] { layers }

    /// The layers applied in order; a `Conv2d` directly followed by a `ReLU` or `ReLU6` runs as one
    /// convolution with the activation fused (`Conv2d.callAsFunction(_:activation:)`: the same values
    /// and gradients, one pass over the output fewer in training and no pre-activation buffer).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        callAsFunction(x, observing: []) { $1 }
    }

    /// The same, handing the output of each child whose name is in `observed` to `observe` (with
    /// that name), which may replace it; a convolution whose own output is observed is not fused.
    public func callAsFunction(_ x: Tensor, observing observed: Set<String>, _ observe: (String, Tensor) -> Tensor) -> Tensor {
        var output = x, index = layers.startIndex
        while index < layers.endIndex {
            let (name, layer) = layers[index]
            if let convolution = layer as? Conv2d, !observed.contains(name), index + 1 < layers.endIndex,
               let activation = Self.fusedActivation(layers[index + 1].layer) {
                output = convolution(output, activation: activation)
                index += 1
            } else {
                output = layer(output)
            }
            if observed.contains(layers[index].name) { output = observe(layers[index].name, output) }
            index += 1
        }
        return output
    }

    /// The activation a convolution can apply in its own pass in place of `layer`, if any.
    private static func fusedActivation(_ layer: any Layer) -> Activation? {
        switch layer {
        case is ReLU: return .relu
        case is ReLU6: return .relu6
        default: return nil
        }
    }
}
