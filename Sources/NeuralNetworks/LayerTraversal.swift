import Tensors

/// Walking a layer tree: dotted names, parameter lists, train/eval mode, freezing.
extension Layer {
    /// Every parameter with its dotted key (`features.0.weight`), in PyTorch's order: a layer's
    /// own parameters, then its children's, depth first. A parameter shared by two layers is
    /// listed under both names, as in `state_dict()`.
    public func namedParameters() -> [NamedParameter] {
        var result: [NamedParameter] = []
        visit(prefix: "") { prefix, layer in
            result += layer.localParameters.map { (prefix + $0.name, $0.parameter) }
        }
        return result
    }

    /// Every buffer with its dotted key (`features.norm0.running_mean`), in PyTorch's order.
    public func namedBuffers() -> [NamedBuffer] {
        var result: [NamedBuffer] = []
        visit(prefix: "") { prefix, layer in
            result += layer.localBuffers.map { (prefix + $0.name, $0.buffer) }
        }
        return result
    }

    /// The distinct parameters in `namedParameters()` order, for an optimizer.
    public func parameters() -> [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return namedParameters().map(\.parameter).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// This layer and all layers below it, depth first, with their dotted names ("" for this one).
    public func namedLayers() -> [NamedLayer] {
        var result: [NamedLayer] = []
        visit(prefix: "") { prefix, layer in result.append((String(prefix.dropLast()), layer)) }
        return result
    }

    /// Puts this layer and all layers below it in training mode.
    public func train() { setTraining(true) }

    /// Puts this layer and all layers below it in evaluation mode (running statistics, no dropout).
    public func eval() { setTraining(false) }

    private func setTraining(_ isTraining: Bool) {
        visit(prefix: "") { _, layer in layer.isTraining = isTraining }
    }

    /// Freezes the parameters whose key is `prefix` or starts with `prefix` followed by a dot
    /// (`"features"` matches `features.0.weight`, not `features2.weight`); all of them for "".
    /// Frozen parameters receive no gradient and cost no backward work.
    /// - Throws: `LayerError.noParameterMatches` when no parameter key matches (a misspelled prefix).
    public func freeze(prefix: String = "") throws {
        try setFrozen(true, prefix: prefix)
    }

    /// Makes the parameters under `prefix` (as for `freeze(prefix:)`) trainable again.
    /// - Throws: `LayerError.noParameterMatches` when no parameter key matches.
    public func unfreeze(prefix: String = "") throws {
        try setFrozen(false, prefix: prefix)
    }

    private func setFrozen(_ isFrozen: Bool, prefix: String) throws {
        let matching = namedParameters().filter { prefix.isEmpty || $0.name == prefix || $0.name.hasPrefix(prefix + ".") }
        guard !matching.isEmpty else { throw LayerError.noParameterMatches(prefix: prefix) }
        for (_, parameter) in matching { parameter.isFrozen = isFrozen }
    }

    /// Calls `body` with each layer of the tree, depth first, and its key prefix ("" or "a.b.").
    private func visit(prefix: String, _ body: (String, any Layer) -> Void) {
        body(prefix, self)
        for (name, child) in children {
            child.visit(prefix: prefix + name + ".", body)
        }
    }
}
