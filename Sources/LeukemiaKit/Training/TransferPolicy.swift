import ModelZoo
import NeuralNetworks
import Tensors

/// Which part of a network trains.
public enum TransferPolicy: String, Codable, Sendable, CaseIterable {
    /// Only the head trains; the backbone's features are computed once and cached. For the
    /// hybrid, the pretrained backbone is frozen and the U-Net and dense head train on images.
    case frozen
    /// The top blocks (see `NetworkBlueprint.topBlocksStart(of:)`) and the head train.
    case topBlocks = "top-blocks"
    /// Every parameter trains.
    case full

    /// Freezes and unfreezes the parameters of `network` for this policy and returns the ones
    /// that train, in `namedParameters()` order.
    /// - Throws: `LayerError` when the network has no parameter under the expected prefix.
    @discardableResult
    public func apply(to network: any ImageClassifierNetwork, blueprint: NetworkBlueprint) throws -> [Parameter] {
        switch self {
        case .full:
            try network.unfreeze()
        case .frozen:
            try network.freeze()
            for prefix in network is HybridNetwork ? ["unet", "head"] : [network.headKey] {
                try network.unfreeze(prefix: prefix)
            }
        case .topBlocks:
            let start = blueprint.topBlocksStart(of: network)
            try network.freeze()
            var reachedTop = false
            for (name, parameter) in network.namedParameters() {
                if name == start || name.hasPrefix(start + ".") { reachedTop = true }
                if reachedTop || network.isHeadKey(name) { parameter.isFrozen = false }
            }
            guard reachedTop else { throw LayerError.noParameterMatches(prefix: start) }
        }
        if let hybrid = network as? HybridNetwork {
            // The backbone's own classifier is not part of the hybrid's forward pass.
            try hybrid.freeze(prefix: "backbone." + hybrid.backbone.headKey)
        }
        return network.parameters().filter { !$0.isFrozen }
    }

    /// Puts `network` in training mode, except the layers whose parameters are all frozen, which
    /// keep using their running statistics (as Keras does for non-trainable batch normalization).
    static func setTrainingMode(of network: any ImageClassifierNetwork) {
        network.train()
        for (_, layer) in network.namedLayers() where !layer.localParameters.isEmpty || !layer.localBuffers.isEmpty {
            if layer.localParameters.allSatisfy({ $0.parameter.isFrozen }) { layer.isTraining = false }
        }
    }
}
