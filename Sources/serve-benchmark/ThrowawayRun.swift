import Datasets
import Foundation
import LeukemiaKit
import ModelZoo
import TestSupport

/// An EfficientNet-Lite0 run trained for one epoch from random weights on synthetic smears, in a
/// temporary folder: a real run directory to serve when no trained run is given.
enum ThrowawayRun {
    static func train(size: Int, in folder: URL) throws -> URL {
        let data = folder.appendingPathComponent("data"), run = folder.appendingPathComponent("efficientnet-lite0")
        try SyntheticSmears.writeDataset(at: data, perClass: 6, seed: 4, size: size)
        var options = try CNNTrainingOptions.study(NetworkDescription(.efficientnetLite0, classCount: 4, inputSize: size), seed: 1)
        options.weights = .none
        options.maximumEpochs = 1
        options.batchSize = 8
        _ = try CNNTrainer.train(CNNTrainingRequest(options: options, dataDirectory: data, runDirectory: run,
                                                    split: SplitConfiguration(seed: 2),
                                                    weightsCache: folder.appendingPathComponent("weights"),
                                                    featureCache: folder.appendingPathComponent("features")))
        return run
    }
}
