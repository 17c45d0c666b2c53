import ModelZoo
import NeuralNetworks
import Tensors

/// Which part of a network trains.
public enum TransferPolicy: String, Codable, Sendable, CaseIterable {
    /// The pretrained body is frozen and what the network trains then (`trainedWhenBodyIsFrozen`:
    /// the head, whose input features are computed once and cached; for the hybrid, the U-Net and
    /// dense head on images) trains.
    case frozen
    /// The top blocks (see `ImageClassifierNetwork.topBlocksStart`) and the head train.
    case topBlocks = "top-blocks"
    /// Every parameter trains.
    case full

    /// Freezes and unfreezes the parameters of `network` for this policy and returns the ones
    /// that train, in `namedParameters()` order.
    /// - Throws: `LayerError` when the network has no parameter under the expected prefix.
    @discardableResult
    public func apply(to network: any ImageClassifierNetwork) throws -> [Parameter] {
        switch self {
        case .full:
            try network.unfreeze()
        case .frozen:
            try network.freeze()
            for prefix in network.trainedWhenBodyIsFrozen {
                try network.unfreeze(prefix: prefix)
            }
        case .topBlocks:
            let start = network.topBlocksStart
            try network.freeze()
            var reachedTop = false
            for (name, parameter) in network.namedParameters() {
                if name == start || name.hasPrefix(start + ".") { reachedTop = true }
                if reachedTop || network.isHeadKey(name) { parameter.isFrozen = false }
            }
            guard reachedTop else { throw LayerError.noParameterMatches(prefix: start) }
        }
        for prefix in network.unusedParameterPrefixes { try network.freeze(prefix: prefix) }
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
