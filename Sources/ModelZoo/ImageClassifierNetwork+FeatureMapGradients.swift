import NeuralNetworks
import Tensors

/// The gradients Grad-CAM needs: class scores together with chosen feature maps as leaves of the
/// gradient tape, at the cost of one forward pass and one backward pass from the scores down to
/// the maps (no further).
extension ImageClassifierNetwork {
    /// The logits of `x` together with the feature map `name`, which is returned as a leaf of the
    /// gradient tape: after `logits.backward(seed:)`, its `gradient` holds d(seed · logits)/d(map), as
    /// Grad-CAM needs. Gradients do not reach the layers before that map in this pass, nor any
    /// parameter (see `logits(_:exposing:)` with several names).
    /// - Throws: `ModelZooError.unknownFeatureMap` when `name` is not in `featureMapNames`;
    ///   `.gradientsNotRecorded` inside `Tensor.withoutGradients`.
    public func logits(_ x: Tensor, exposing name: String) throws -> (logits: Tensor, featureMap: Tensor) {
        let (logits, maps) = try logits(x, exposing: [name])
        guard let map = maps[name] else { throw ModelZooError.unknownFeatureMap(name: name, available: featureMapNames) }
        return (logits, map)
    }

    /// The logits `[batch, classCount]` of `x [batch, height, width, 3]` together with the feature
    /// maps `names` (NHWC), each returned as a leaf of the gradient tape that holds the map's
    /// values: after `logits.backward(seed:)`, each map's `gradient` holds d(seed · logits)/d(map).
    /// The gradient is the whole derivative also when one exposed map lies before another on the
    /// same path (`features.denseblock3` and `features.norm5`): the later map passes its gradient
    /// on to the earlier one.
    ///
    /// The pass records only what these gradients need: it runs with `x` detached and every
    /// parameter frozen (each parameter's own frozen state is restored before returning), so
    /// nothing before the first exposed map of each path is recorded, the backward pass ends at
    /// the exposed maps, and no parameter receives a gradient. Exposing maps of separate branches
    /// (the hybrid's `unet.conv5` and `backbone.features.norm5`) costs one pass for all of them.
    ///
    /// Run it in evaluation mode (`eval()`) for explanations: in training mode, batch norms use and
    /// update batch statistics and dropout draws.
    /// - Throws: `ModelZooError.unknownFeatureMap` for a name not in `featureMapNames`;
    ///   `.gradientsNotRecorded` inside `Tensor.withoutGradients`.
    public func logits(_ x: Tensor, exposing names: [String]) throws -> (logits: Tensor, featureMaps: [String: Tensor]) {
        if let unknown = names.first(where: { !featureMapNames.contains($0) }) {
            throw ModelZooError.unknownFeatureMap(name: unknown, available: featureMapNames)
        }
        guard Tensor.isRecordingGradients else {
            throw ModelZooError.gradientsNotRecorded(featureMap: names.first ?? "")
        }
        let parameters = self.parameters()
        let wereFrozen = parameters.map(\.isFrozen)
        for parameter in parameters { parameter.isFrozen = true }
        defer { for (parameter, wasFrozen) in zip(parameters, wereFrozen) { parameter.isFrozen = wasFrozen } }

        var exposed: [String: Tensor] = [:]
        let logits = head(features(x.detached()) { mapName, map in
            guard names.contains(mapName) else { return map }
            let leaf = map.detached().requiringGradient()
            exposed[mapName] = leaf
            // A map after an earlier exposed one is recorded: the sum sends the gradient both to the
            // leaf and on through the map. `leaf - map.detached()` is exactly zero, so the values
            // going on are the map's.
            return map.requiresGradient ? map + (leaf - map.detached()) : leaf
        })
        if let missing = names.first(where: { exposed[$0] == nil }) {
            throw ModelZooError.unknownFeatureMap(name: missing, available: featureMapNames)
        }
        return (logits, exposed)
    }
}
