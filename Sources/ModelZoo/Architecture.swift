import NeuralNetworks
import Tensors

/// The full-size networks of the zoo under the names of their reference constructors
/// (`torchvision.models.vgg16_bn`, ..., efficientnet-lite-pytorch's `efficientnet-lite0`).
public enum Architecture: String, CaseIterable, Codable, Sendable {
    case vgg16
    case vgg16BN = "vgg16_bn"
    case densenet121, densenet169, densenet201
    case convnextTiny = "convnext_tiny"
    case convnextSmall = "convnext_small"
    case convnextBase = "convnext_base"
    case efficientNetLite0 = "efficientnet_lite0"

    /// The network with `classCount` classes and its reference initialization drawn from `seed`.
    /// The published ImageNet weights load into it (`loadStateDict` for 1000 classes,
    /// `loadBackbone` for others; DenseNet checkpoints need `StateDictKeyRenames.torchvisionDenseNet`).
    /// - Throws: `LayerError` for a non-positive class count.
    public func makeNetwork(classCount: Int = 1000, seed: UInt64) throws -> any ImageClassifierNetwork {
        switch self {
        case .vgg16, .vgg16BN:
            var configuration: VGG.Configuration = self == .vgg16 ? .vgg16 : .vgg16BN
            configuration.classCount = classCount
            return try VGG(configuration: configuration, seed: seed)
        case .densenet121, .densenet169, .densenet201:
            var configuration: DenseNet.Configuration = self == .densenet121 ? .densenet121
                : self == .densenet169 ? .densenet169 : .densenet201
            configuration.classCount = classCount
            return try DenseNet(configuration: configuration, seed: seed)
        case .convnextTiny, .convnextSmall, .convnextBase:
            var configuration: ConvNeXt.Configuration = self == .convnextTiny ? .convnextTiny
                : self == .convnextSmall ? .convnextSmall : .convnextBase
            configuration.classCount = classCount
            return try ConvNeXt(configuration: configuration, seed: seed)
        case .efficientNetLite0:
            var configuration = EfficientNetLite.Configuration.lite0
            configuration.classCount = classCount
            return try EfficientNetLite(configuration: configuration, seed: seed)
        }
    }

    /// The per-channel (R, G, B) mean the published weights expect after scaling pixels to [0, 1]
    /// (ImageNet's, used by torchvision and by the efficientnet-lite-pytorch examples).
    public static let inputMean: [Float] = [0.485, 0.456, 0.406]
    /// The per-channel (R, G, B) standard deviation that goes with `inputMean`.
    public static let inputStandardDeviation: [Float] = [0.229, 0.224, 0.225]
}
