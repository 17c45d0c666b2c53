import Foundation

/// The network families `leukemia train --model` accepts, with what each expects of its inputs
/// and where its pretrained (ImageNet) weights are looked for.
public enum CNNArchitecture: String, Codable, Sendable, CaseIterable {
    case vgg16
    case densenet201
    case convnextTiny = "convnext-tiny"
    case convnextBase = "convnext-base"
    case efficientnetLite0 = "efficientnet-lite0"
    /// The study's hybrid network: a U-Net on the purple-masked image beside a backbone (`--backbone`).
    case hybrid

    /// How 0...255 pixels become inputs: torchvision backbones use ImageNet statistics,
    /// EfficientNet-Lite (TensorFlow) maps pixels to [-1, 1]; the hybrid's depends on its backbone
    /// (see `weightsArchitecture(backbone:)`).
    public var inputNormalization: InputNormalization {
        switch self {
        case .efficientnetLite0: return .symmetric
        case .vgg16, .densenet201, .convnextTiny, .convnextBase, .hybrid: return .imageNet
        }
    }

    /// The full-size network for `classCount` classes at `inputSize` pixels. The hybrid needs a
    /// `backbone` (any other architecture); its purple mask undoes `normalization` (by default the
    /// backbone's), and `hybridVariant` chooses the study's U-Net or the CPU-trainable light one.
    /// - Throws: `CNNTrainingError.invalidOption` for a hybrid without a valid backbone.
    public func blueprint(classCount: Int, inputSize: Int, backbone: CNNArchitecture? = nil,
                          normalization: InputNormalization? = nil, hybridVariant: HybridVariant = .study) throws -> NetworkBlueprint {
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
            guard let backbone, backbone != .hybrid else {
                throw CNNTrainingError.invalidOption(name: "backbone", value: backbone?.rawValue ?? "(none)",
                                                     expected: "the hybrid's backbone, one of "
                                                        + Self.allCases.filter { $0 != .hybrid }.map(\.rawValue).joined(separator: ", "))
            }
            let affine = (normalization ?? backbone.inputNormalization).purpleMaskAffine
            var configuration = hybridVariant == .study ? HybridConfiguration.study(normalization: affine)
                                                        : HybridConfiguration.light(normalization: affine)
            configuration.imageSize = inputSize
            configuration.denseHead.classCount = classCount
            return .hybrid(configuration, backbone: try backbone.blueprint(classCount: classCount, inputSize: inputSize))
        }
    }

    /// The architecture whose input normalization and pretrained weights apply: the backbone for
    /// the hybrid, else this one.
    public func weightsArchitecture(backbone: CNNArchitecture?) -> CNNArchitecture {
        self == .hybrid ? backbone ?? self : self
    }
}

/// Which U-Net the hybrid uses.
public enum HybridVariant: String, Codable, Sendable, CaseIterable {
    /// The study's: conv5 flattened without pooling (401,408 features at 224, about 206 M weights
    /// in the first dense layer).
    case study
    /// Half the widths, conv5 average-pooled 8 x 8 (3,136 features): trainable on a CPU.
    case light
}
