import ArgumentParser
import LeukemiaKit
import ModelZoo
import Datasets

/// A network `leukemia train` can train, named as the registry names it (`densenet201`,
/// `hybrid-light` on EfficientNet-Lite0, `hybrid-study/densenet201`, ...).
extension NetworkDescription {
    /// The networks `--memory` measures by default: every standard architecture the study trains,
    /// and the hybrid on EfficientNet-Lite0 in both U-Net variants.
    static let memoryDefaults = ["vgg16", "densenet201", "convnext-tiny", "convnext-base", "efficientnet-lite0",
                                 "hybrid-study", "hybrid-light"]

    /// The network of `name` for the ALL classes at `size` pixels.
    /// - Throws: `ValidationError` naming the unknown model.
    static func benchmarked(_ name: String, size: Int = NetworkDescription.standardInputSize) throws -> NetworkDescription {
        do {
            return try NetworkDescription(name: name, classCount: ClassSet.acuteLymphoblasticLeukemia.count, inputSize: size)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The options of `leukemia train --model ...` (the study's defaults: full fine-tuning, Adam
    /// 1e-4) with `batchSize` images.
    func trainingOptions(batchSize: Int, seed: UInt64) throws -> CNNTrainingOptions {
        var options = try CNNTrainingOptions.study(self, seed: seed)
        options.batchSize = batchSize
        try options.validate()
        return options
    }

    /// The PyTorch builder of the same network in scripts/benchmarks/training_pytorch.py (a
    /// torchvision constructor, or `efficientnet_lite0` from the `efficientnet-lite-pytorch`
    /// package), nil for the hybrid, which has none.
    var pytorchBuilderName: String? {
        guard backbone == nil else { return nil }
        return architecture == .efficientnetLite0 ? architecture.referenceName : architecture.torchvisionName
    }
}
