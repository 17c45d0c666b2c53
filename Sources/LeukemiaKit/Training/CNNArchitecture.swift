import Foundation

/// The network families `leukemia train --model` accepts, with what each expects of its inputs
/// and where its pretrained (ImageNet) weights are looked for.
public enum CNNArchitecture: String, Codable, Sendable, CaseIterable {
    case vgg16
    case densenet201
    case convnextTiny = "convnext-tiny"
    case convnextBase = "convnext-base"
    case efficientnetLite0 = "efficientnet-lite0"
    /// The study's hybrid network; its implementation lives on the `hybrid` branch.
    case hybrid

    /// How 0...255 pixels become inputs: torchvision backbones use ImageNet statistics,
    /// EfficientNet-Lite (TensorFlow) maps pixels to [-1, 1].
    public var inputNormalization: InputNormalization {
        switch self {
        case .efficientnetLite0: return .symmetric
        case .vgg16, .densenet201, .convnextTiny, .convnextBase, .hybrid: return .imageNet
        }
    }

    /// The full-size network for `classCount` classes at `inputSize` pixels.
    /// - Throws: `CNNTrainingError.architectureUnavailable` for an architecture not in this build.
    public func blueprint(classCount: Int, inputSize: Int) throws -> NetworkBlueprint {
        switch self {
        case .vgg16:
            var configuration = VGGConfiguration.vgg16
            configuration.classCount = classCount
            return .vgg(configuration)
        case .densenet201:
            var configuration = DenseNetConfiguration.densenet201
            configuration.classCount = classCount
            return .denseNet(configuration)
        case .convnextTiny, .convnextBase:
            var configuration = self == .convnextTiny ? ConvNeXtConfiguration.convnextTiny : ConvNeXtConfiguration.convnextBase
            configuration.classCount = classCount
            return .convNeXt(configuration)
        case .efficientnetLite0:
            var configuration = EfficientNetLiteConfiguration.lite0
            configuration.classCount = classCount
            configuration.imageSize = inputSize
            return .efficientNetLite(configuration)
        case .hybrid:
            throw CNNTrainingError.architectureUnavailable(
                name: rawValue, reason: "HybridNetwork is developed on branch 'hybrid' and not merged into this build")
        }
    }

    /// The pretrained-weights file of this architecture inside a weights cache folder.
    public func pretrainedWeightsFile(in cache: URL) -> URL {
        cache.appendingPathComponent("\(rawValue).safetensors")
    }

    /// The command that puts ImageNet weights for this architecture into the cache.
    public var weightsInstallHint: String {
        switch self {
        case .efficientnetLite0:
            return "`leukemia weights install efficientnet-lite0`, or `leukemia weights import \(rawValue) FILE`"
        default:
            return "`leukemia weights import \(rawValue) FILE` (FILE: the torchvision checkpoint, .pth or .safetensors)"
        }
    }
}
