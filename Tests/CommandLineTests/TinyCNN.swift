import Foundation
import ModelZoo

/// The reduced DenseNet (growth 4, blocks of 2 and 2 layers, 8 initial features) that
/// command-line tests train in seconds at 32x32, and the options that select it.
enum TinyCNN {
    /// The network with `classCount` outputs.
    static func blueprint(classCount: Int = 4) -> NetworkBlueprint {
        .denseNet(DenseNet.Configuration(growthRate: 4, blockLayerCounts: [2, 2], initialFeatures: 8, classCount: classCount))
    }

    /// Writes the blueprint to `folder/tiny-densenet-K.json` and returns the CNN options of
    /// `train` and `study` that train it from scratch: 32x32 inputs, batches of 8, rate 0.003,
    /// features cached in `folder/features`.
    static func options(in folder: URL, classCount: Int = 4) throws -> [String] {
        let file = folder.appendingPathComponent("tiny-densenet-\(classCount).json")
        try JSONEncoder().encode(blueprint(classCount: classCount)).write(to: file)
        return ["--network-config", file.path, "--weights", "none", "--input-size", "32", "--batch-size", "8",
                "--learning-rate", "0.003", "--feature-cache", folder.appendingPathComponent("features").path]
    }
}
