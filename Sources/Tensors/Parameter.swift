/// A trainable tensor: a leaf of the tape whose gradient optimizers read.
///
/// Use `value` in the forward pass; after `loss.backward()`, `gradient` holds the sum of the
/// gradients of every backward pass since the last `zeroGradient()`. A frozen parameter's
/// `value` carries no gradient node: it receives no gradient and costs no backward work.
public final class Parameter {
    /// A name for reports and checkpoints.
    public let name: String
    private let leaf: GradientNode

    private var storedValue: Tensor

    /// Identifies the current value for kernels that cache a reordered copy of weights: the owner
    /// is unique to this parameter and the version grows whenever `value` is set or mutated.
    public private(set) var valueVersion = WeightsVersion(owner: WeightsVersion.makeOwner(), version: 0)

    /// The current value; it carries this parameter's leaf node unless the parameter is frozen.
    /// Mutating it in place (an optimizer step) does not copy when nothing else shares it.
    public var value: Tensor {
        get { storedValue }
        set {
            storedValue = newValue
            valueVersion.version += 1
            attachLeaf()
        }
        _modify {
            yield &storedValue
            valueVersion.version += 1
            attachLeaf()
        }
    }

    /// Gives the value this parameter's leaf node (none when frozen), checking its shape.
    private func attachLeaf() {
        guard storedValue.shape == leaf.shape else {
            Tensor.fail(.shapeMismatch(operation: "Parameter '\(name)' value", lhs: leaf.shape, rhs: storedValue.shape))
        }
        storedValue.gradientNode = isFrozen ? nil : leaf
    }

    /// Whether the parameter is excluded from training.
    public var isFrozen: Bool {
        didSet { attachLeaf() }
    }

    /// A parameter holding `value` (its gradient node, if any, is replaced).
    public init(_ value: Tensor, name: String = "", isFrozen: Bool = false) {
        self.name = name
        leaf = GradientNode(leafOfShape: value.shape)
        self.isFrozen = isFrozen
        storedValue = value
        attachLeaf()
    }

    /// The accumulated gradient; nil before the first backward pass and after `zeroGradient()`.
    /// Mutating it in place (gradient clipping) does not copy when nothing else shares it.
    public var gradient: Tensor? {
        get { leaf.gradient }
        set {
            leaf.gradient = newValue?.detached()
            checkGradientShape()
        }
        _modify {
            yield &leaf.gradient
            checkGradientShape()
        }
    }

    private func checkGradientShape() {
        if let gradient = leaf.gradient, gradient.shape != leaf.shape {
            Tensor.fail(.shapeMismatch(operation: "Parameter '\(name)' gradient", lhs: leaf.shape, rhs: gradient.shape))
        }
    }

    /// Forgets the accumulated gradient.
    public func zeroGradient() {
        leaf.gradient = nil
    }
}
