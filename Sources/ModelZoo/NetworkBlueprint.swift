import Foundation

/// The exact sizes of a network, family by family: what a run stores so that `--resume`,
/// `evaluate` and `predict` rebuild exactly the trained network. `NetworkDescription.blueprint()`
/// gives an architecture's standard one; a reduced one (fewer blocks, narrower) can be written by
/// hand, as the tests' small networks are.
public enum NetworkBlueprint: Codable, Equatable, Sendable {
    case vgg(VGG.Configuration)
    case denseNet(DenseNet.Configuration)
    case convNeXt(ConvNeXt.Configuration)
    case efficientNetLite(EfficientNetLite.Configuration)
    /// The study's hybrid on the backbone described by `backbone`.
    indirect case hybrid(HybridNetwork.Configuration, backbone: NetworkBlueprint)

    /// A freshly initialized network with initialization drawn from `seed` (the hybrid's backbone
    /// from `seed + 1`).
    /// - Throws: `ModelZooError` or `LayerError` for an impossible configuration.
    public func makeNetwork(seed: UInt64) throws -> any ImageClassifierNetwork {
        switch self {
        case .vgg(let configuration): return try VGG(configuration: configuration, seed: seed)
        case .denseNet(let configuration): return try DenseNet(configuration: configuration, seed: seed)
        case .convNeXt(let configuration): return try ConvNeXt(configuration: configuration, seed: seed)
        case .efficientNetLite(let configuration): return try EfficientNetLite(configuration: configuration, seed: seed)
        case let .hybrid(configuration, backbone):
            return try HybridNetwork(configuration: configuration, backbone: backbone.makeNetwork(seed: seed &+ 1), seed: seed)
        }
    }

    /// The number of classes the network's head scores.
    public var classCount: Int {
        switch self {
        case .vgg(let c): return c.classCount
        case .denseNet(let c): return c.classCount
        case .convNeXt(let c): return c.classCount
        case .efficientNetLite(let c): return c.classCount
        case .hybrid(let c, _): return c.denseHead.classCount
        }
    }

    /// The only input size the network accepts, or nil when any size works (global pooling).
    public var requiredInputSize: Int? {
        switch self {
        case .efficientNetLite(let c): return c.imageSize
        case .hybrid(let c, _): return c.imageSize
        case .vgg, .denseNet, .convNeXt: return nil
        }
    }

    /// The hybrid's U-Net variant when its U-Net is one of the standard ones; nil for a reduced
    /// U-Net and for the other networks.
    public var hybridVariant: HybridNetwork.Variant? {
        guard case .hybrid(let configuration, _) = self else { return nil }
        return HybridNetwork.Variant.allCases.first {
            $0.configuration(normalization: configuration.purpleMask.normalization).unet == configuration.unet
        }
    }

    /// The per-channel affine map the hybrid's purple mask undoes, nil for the other networks.
    public var purpleMaskNormalization: [PurpleMask.ChannelAffine]? {
        guard case .hybrid(let configuration, _) = self else { return nil }
        return configuration.purpleMask.normalization
    }
}
