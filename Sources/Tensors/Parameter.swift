/// A trainable tensor: a leaf of the tape whose gradient optimizers read.
///
/// Use `value` in the forward pass; after `loss.backward()`, `gradient` holds the sum of the
/// gradients of every backward pass since the last `zeroGradient()`. A frozen parameter's
/// `value` carries no gradient node: it receives no gradient and costs no backward work.
public final class Parameter {
    /// A name for reports and checkpoints.
    public let name: String
    private let leaf: GradientNode

    /// The current value; it carries this parameter's leaf node unless the parameter is frozen.
    /// Mutating it in place (an optimizer step) does not copy when nothing else shares it.
    public var value: Tensor {
        didSet {
            if value.shape != leaf.shape { Tensor.fail(.shapeMismatch(operation: "Parameter '\(name)' value", lhs: leaf.shape, rhs: value.shape)) }
            value.gradientNode = isFrozen ? nil : leaf
        }
    }

    /// Whether the parameter is excluded from training.
    public var isFrozen: Bool {
        didSet { value.gradientNode = isFrozen ? nil : leaf }
    }

    /// A parameter holding `value` (its gradient node, if any, is replaced).
    public init(_ value: Tensor, name: String = "", isFrozen: Bool = false) {
        self.name = name
        leaf = GradientNode(leafOfShape: value.shape)
        self.isFrozen = isFrozen
        var attached = value
        attached.gradientNode = isFrozen ? nil : leaf
        self.value = attached
    }

    /// The accumulated gradient; nil before the first backward pass and after `zeroGradient()`.
    public var gradient: Tensor? {
        get { leaf.gradient }
        set {
            if let newValue, newValue.shape != leaf.shape {
                Tensor.fail(.shapeMismatch(operation: "Parameter '\(name)' gradient", lhs: leaf.shape, rhs: newValue.shape))
            }
            leaf.gradient = newValue?.detached()
        }
    }

    /// Forgets the accumulated gradient.
    public func zeroGradient() {
        leaf.gradient = nil
    }
}
