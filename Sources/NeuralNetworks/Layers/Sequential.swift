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

    /// The layers applied in order.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { output, entry in entry.layer(output) }
    }
}
