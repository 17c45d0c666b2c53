extension Tensor {
    /// Computes the gradient of this one-element tensor (a loss) with respect to every leaf
    /// it depends on, adding it to the leaves' accumulated gradients.
    ///
    /// By default the recorded graph is released afterwards (its saved buffers are freed);
    /// pass `retainingGraph: true` to run another backward pass through the same graph.
    public func backward(retainingGraph: Bool = false) {
        guard scalarCount == 1 else {
            Tensor.fail(.invalidShape(operation: "backward()", shape: shape,
                                      expected: "a one-element loss (use backward(seed:) otherwise)"))
        }
        backward(seed: Tensor(shape: shape, repeating: 1), retainingGraph: retainingGraph)
    }

    /// Back-propagates `seed` as the gradient of this tensor.
    public func backward(seed: Tensor, retainingGraph: Bool = false) {
        guard let root = gradientNode else {
            Tensor.fail(.invalidArgument(operation: "backward()",
                message: "the tensor does not require a gradient (no input requires one, or it was made without recording)"))
        }
        guard seed.shape == shape else {
            Tensor.fail(.shapeMismatch(operation: "backward(seed:)", lhs: shape, rhs: seed.shape))
        }
        let order = Tensor.inputsFirstOrder(from: root)
        root.pendingGradient = seed.detached()
        GradientMode.withoutRecording {
            for node in order.reversed() {
                guard let outputGradient = node.pendingGradient else { continue }
                node.pendingGradient = nil
                if node.isLeaf {
                    Tensor.accumulate(outputGradient, into: &node.gradient)
                    continue
                }
                guard let backward = node.backward else {
                    Tensor.fail(.invalidArgument(operation: "backward()", message:
                        "the graph through '\(node.operation)' was released by an earlier backward(); pass retainingGraph: true to the first call"))
                }
                if let accumulatingBackward = node.accumulatingBackward, Tensor.areDistinct(node.inputs) {
                    // The sums leave their nodes during the call, so that they are not shared.
                    var sums = node.inputs.map { input -> Tensor? in
                        defer { input?.pendingGradient = nil }
                        return input?.pendingGradient
                    }
                    accumulatingBackward(outputGradient, &sums)
                    for (input, sum) in zip(node.inputs, sums) {
                        guard let input else { continue }
                        if let sum, sum.shape != input.shape {
                            Tensor.fail(.shapeMismatch(operation: "\(node.operation) backward (input, gradient)",
                                                       lhs: input.shape, rhs: sum.shape))
                        }
                        input.pendingGradient = sum
                    }
                    if !retainingGraph { node.backward = nil; node.accumulatingBackward = nil }
                    continue
                }
                let inputGradients = backward(consume outputGradient)
                guard inputGradients.count == node.inputs.count else {
                    Tensor.fail(.invalidArgument(operation: node.operation, message:
                        "backward returned \(inputGradients.count) gradients for \(node.inputs.count) inputs"))
                }
                for (input, gradient) in zip(node.inputs, inputGradients) {
                    guard let input, let gradient else { continue }
                    guard gradient.shape == input.shape else {
                        Tensor.fail(.shapeMismatch(operation: "\(node.operation) backward (input, gradient)",
                                                   lhs: input.shape, rhs: gradient.shape))
                    }
                    Tensor.accumulate(gradient, into: &input.pendingGradient)
                }
                if !retainingGraph { node.backward = nil; node.accumulatingBackward = nil }
            }
        }
    }

    /// Whether the non-nil `nodes` are all different (an operation may take one tensor twice).
    private static func areDistinct(_ nodes: [GradientNode?]) -> Bool {
        var seen = Set<ObjectIdentifier>()
        return nodes.allSatisfy { node in node.map { seen.insert(ObjectIdentifier($0)).inserted } ?? true }
    }

    /// The nodes reachable from `root`, each after all of its inputs (iterative post-order).
    private static func inputsFirstOrder(from root: GradientNode) -> [GradientNode] {
        var order: [GradientNode] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradientNode, nextInput: Int)] = [(root, 0)]
        while let (node, nextInput) = stack.popLast() {
            guard nextInput < node.inputs.count else {
                order.append(node)
                continue
            }
            stack.append((node, nextInput + 1))
            if let input = node.inputs[nextInput], visited.insert(ObjectIdentifier(input)).inserted {
                stack.append((input, 0))
            }
        }
        return order
    }

    /// Adds `gradient` to `sum`, in place when `sum`'s storage is not shared.
    static func accumulate(_ gradient: Tensor, into sum: inout Tensor?) {
        guard var total = sum else {
            sum = gradient.detached()
            return
        }
        sum = nil
        total.addInPlace(gradient)
        sum = total
    }
}
