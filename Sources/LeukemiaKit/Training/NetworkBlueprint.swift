import Foundation
import ModelZoo

typealias VGGConfiguration = VGG.Configuration
typealias DenseNetConfiguration = DenseNet.Configuration
typealias ConvNeXtConfiguration = ConvNeXt.Configuration
typealias EfficientNetLiteConfiguration = EfficientNetLite.Configuration
typealias HybridConfiguration = HybridNetwork.Configuration

/// A complete, serializable description of a network (architecture and sizes), stored in a run's
/// options so that `--resume`, `evaluate` and `predict` rebuild exactly the trained network.
public enum NetworkBlueprint: Codable, Equatable, Sendable {
    case vgg(VGG.Configuration)
    case denseNet(DenseNet.Configuration)
    case convNeXt(ConvNeXt.Configuration)
    case efficientNetLite(EfficientNetLite.Configuration)
    /// The study's hybrid on the backbone described by `backbone`.
    indirect case hybrid(HybridNetwork.Configuration, backbone: NetworkBlueprint)

    /// A freshly initialized network with initialization drawn from `seed`.
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

    /// Whether the network draws random numbers that the trainer cannot reseed per epoch
    /// (DenseNet's dropout keeps a private generator), so that a resumed run may differ from an
    /// uninterrupted one.
    public var hasUnreseedableRandomness: Bool {
        switch self {
        case .denseNet(let configuration): return configuration.dropRate > 0
        case .hybrid(_, let backbone): return backbone.hasUnreseedableRandomness
        case .vgg, .convNeXt, .efficientNetLite: return false
        }
    }

    /// The key prefix of the first parameter of `network` (built from this blueprint) that the
    /// top-blocks policy trains; it and every
    /// parameter registered after it (up to the head) are trained, the ones before stay frozen.
    ///
    /// The study fine-tuned Keras' DenseNet-201 from its 501st layer on. Keras numbers that
    /// network's layers as 7 stem layers, 7 per dense layer, 4 per transition, so layer 501 is the
    /// concatenation closing the third dense layer of the last block (`conv5_block3_concat`), and the
    /// trained part is that block from its 4th dense layer on, plus the final norm. The equivalents:
    /// - DenseNet: `features.denseblock<last>.denselayer4` on (the whole last block if it is shorter).
    /// - VGG: the last convolution block (after the second-to-last max pool; `features.24` for VGG-16)
    ///   and the classifier's hidden layers.
    /// - ConvNeXt: the last stage (`features.7` for the four-stage models) and the classifier's norm.
    /// - EfficientNet-Lite: the last two block groups (`_blocks.11` on for Lite0) and `_conv_head`.
    /// - Hybrid: its backbone's top blocks (`backbone.` + the backbone's start), then the U-Net and head.
    public func topBlocksStart(of network: any ImageClassifierNetwork) -> String {
        switch self {
        case .vgg(let configuration):
            var layerIndex = 0
            var poolLayerIndices: [Int] = []
            for item in configuration.items {
                switch item {
                case .convolution: layerIndex += configuration.batchNorm ? 3 : 2
                case .maxPool:
                    poolLayerIndices.append(layerIndex)
                    layerIndex += 1
                }
            }
            let start = poolLayerIndices.count >= 2 ? poolLayerIndices[poolLayerIndices.count - 2] + 1 : 0
            return "features.\(start)"
        case .denseNet(let configuration):
            let lastBlock = configuration.blockLayerCounts.count
            let firstLayer = configuration.blockLayerCounts[lastBlock - 1] >= 4 ? 4 : 1
            return "features.denseblock\(lastBlock).denselayer\(firstLayer)"
        case .convNeXt(let configuration):
            return "features.\(2 * configuration.stages.count - 1)"
        case .efficientNetLite:
            let groupEnds = network.featureMapNames.compactMap {
                $0.hasPrefix("_blocks.") ? Int($0.dropFirst("_blocks.".count)) : nil
            }
            return "_blocks.\(groupEnds.count >= 3 ? groupEnds[groupEnds.count - 3] + 1 : 0)"
        case .hybrid(_, let backbone):
            return "backbone." + backbone.topBlocksStart(of: (network as? HybridNetwork)?.backbone ?? network)
        }
    }
}

extension InputNormalization {
    /// The per-channel affine maps in the form the hybrid's purple mask inverts.
    var purpleMaskAffine: [PurpleMask.ChannelAffine] {
        channelAffine.map { PurpleMask.ChannelAffine(scale: $0.scale, offset: $0.offset) }
    }
}
