import ArgumentParser
import LeukemiaKit

/// A network `leukemia train` can train, built as the CLI builds it; the hybrid is measured on
/// the EfficientNet-Lite0 backbone in both U-Net variants.
enum BenchmarkModel: String, CaseIterable, ExpressibleByArgument {
    case vgg16
    case densenet201
    case convnextTiny = "convnext-tiny"
    case convnextBase = "convnext-base"
    case efficientnetLite0 = "efficientnet-lite0"
    case hybridStudy = "hybrid-study"
    case hybridLight = "hybrid-light"

    /// The options of `leukemia train --model ... [--backbone efficientnet-lite0 --hybrid-variant ...]`
    /// (the study's defaults: full fine-tuning, Adam 1e-4) with `batchSize` images of `size` pixels.
    func trainingOptions(batchSize: Int, size: Int, seed: UInt64) throws -> CNNTrainingOptions {
        let (architecture, backbone, variant): (CNNArchitecture, CNNArchitecture?, HybridVariant) = switch self {
        case .vgg16: (.vgg16, nil, .study)
        case .densenet201: (.densenet201, nil, .study)
        case .convnextTiny: (.convnextTiny, nil, .study)
        case .convnextBase: (.convnextBase, nil, .study)
        case .efficientnetLite0: (.efficientnetLite0, nil, .study)
        case .hybridStudy: (.hybrid, .efficientnetLite0, .study)
        case .hybridLight: (.hybrid, .efficientnetLite0, .light)
        }
        var options = try CNNTrainingOptions.study(architecture, backbone: backbone, seed: seed)
        options.blueprint = try architecture.blueprint(classCount: LeukemiaClass.allCases.count, inputSize: size,
                                                       backbone: backbone, normalization: options.normalization,
                                                       hybridVariant: variant)
        options.inputSize = size
        options.batchSize = batchSize
        try options.validate()
        return options
    }

    /// torchvision's builder of the same network (scripts/benchmarks/training_pytorch.py), nil
    /// when torchvision has none.
    var torchvisionName: String? {
        switch self {
        case .vgg16: "vgg16"
        case .densenet201: "densenet201"
        case .convnextTiny: "convnext_tiny"
        case .convnextBase: "convnext_base"
        case .efficientnetLite0, .hybridStudy, .hybridLight: nil
        }
    }
}
