/// Sends the gradient of an operation's output back to its inputs: one gradient per input,
/// nil where the input needs none. The output gradient is handed over (`consuming`): a pass may
/// overwrite it where its storage is not shared (`isKnownUniquelyReferenced`), as a convolution's
/// fused activation masks it in place.
public typealias BackwardFunction = (_ outputGradient: consuming Tensor) -> [Tensor?]

/// Adds the gradient of an operation's output to the gradients gathered so far for its inputs
/// (`sums`, one per input, nil where none was gathered yet or the input needs none), in place
/// where a sum's storage is not shared: an operation whose input gradients are pieces of its
/// output gradient (a concatenation's) then writes each piece once instead of copying it out and
/// adding the copy.
typealias AccumulatingBackwardFunction = (_ outputGradient: Tensor, _ sums: inout [Tensor?]) -> Void

/// One entry of the dynamic tape: either a leaf that accumulates a gradient (a tensor made
/// with `requiringGradient()`, or a `Parameter`) or an operation with its backward closure.
final class GradientNode {
    /// The operation's name, for error messages.
    let operation: String
    /// The shape of the tensor this node belongs to.
    let shape: [Int]
    /// The nodes of the operation's inputs, nil for inputs that need no gradient.
    let inputs: [GradientNode?]
    /// The backward closure; nil for leaves and, after `backward()`, for released operations.
    var backward: BackwardFunction?
    /// The operation's backward pass that adds into its inputs' gathered gradients, if it has one
    /// (used when the inputs are distinct nodes); released with `backward`.
    var accumulatingBackward: AccumulatingBackwardFunction?
    /// Leaves keep their gradient; operations only hold it during a backward pass.
    let isLeaf: Bool
    /// The accumulated gradient of a leaf.
    var gradient: Tensor?
    /// The gradient being gathered for an operation during a backward pass.
    var pendingGradient: Tensor?

    /// A leaf for a tensor of `shape`.
    init(leafOfShape shape: [Int]) {
        operation = "leaf"
        self.shape = shape
        inputs = []
        isLeaf = true
    }

    /// The node of an operation.
    init(operation: String, shape: [Int], inputs: [GradientNode?], backward: @escaping BackwardFunction,
         accumulatingBackward: AccumulatingBackwardFunction? = nil) {
        self.operation = operation
        self.shape = shape
        self.inputs = inputs
        self.backward = backward
        self.accumulatingBackward = accumulatingBackward
        isLeaf = false
    }
}

extension Tensor {
    /// Whether gradients flow back through this tensor.
    public var requiresGradient: Bool { gradientNode != nil }

    /// This tensor as a new leaf of the tape: `backward()` accumulates into its `gradient`.
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, storage: storage, gradientNode: GradientNode(leafOfShape: shape))
    }

    /// This tensor without gradient tracking (the storage is shared).
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// The accumulated gradient of a leaf (nil before any backward pass and for non-leaves).
    public var gradient: Tensor? {
        guard let gradientNode, gradientNode.isLeaf else { return nil }
        return gradientNode.gradient
    }

    /// True when gradients are being recorded and at least one of `inputs` requires one:
    /// only then should an operation create its backward closure.
    public static func shouldRecord(_ inputs: Tensor...) -> Bool {
        GradientMode.isRecording && inputs.contains { $0.gradientNode != nil }
    }

    /// True when gradients are being recorded and at least one of `inputs` requires one.
    public static func shouldRecord(_ inputs: [Tensor]) -> Bool {
        GradientMode.isRecording && inputs.contains { $0.gradientNode != nil }
    }

    /// This output with a gradient node for `operation` over `inputs`, when `shouldRecord(inputs)`;
    /// otherwise the output unchanged and `backward` is dropped.
    public func recording(_ operation: String, inputs: [Tensor], backward: @escaping BackwardFunction) -> Tensor {
        recording(operation, inputs: inputs, backward: backward, accumulatingBackward: nil)
    }

    /// The same with a backward pass that adds into the inputs' gathered gradients
    /// (`AccumulatingBackwardFunction`); the plain backward pass (inputs taken twice, or no
    /// gradient gathered yet) is the same function started from no sums.
    func recording(_ operation: String, inputs: [Tensor], accumulatingBackward: @escaping AccumulatingBackwardFunction) -> Tensor {
        let count = inputs.count
        return recording(operation, inputs: inputs, backward: { gradient in
            var sums = [Tensor?](repeating: nil, count: count)
            accumulatingBackward(gradient, &sums)
            return sums
        }, accumulatingBackward: accumulatingBackward)
    }

    private func recording(_ operation: String, inputs: [Tensor], backward: @escaping BackwardFunction,
                           accumulatingBackward: AccumulatingBackwardFunction?) -> Tensor {
        guard Tensor.shouldRecord(inputs) else { return self }
        var result = self
        result.gradientNode = GradientNode(operation: operation, shape: shape, inputs: inputs.map(\.gradientNode),
                                           backward: backward, accumulatingBackward: accumulatingBackward)
        return result
    }
}
