import Foundation
import Imaging
import ModelZoo
import NeuralNetworks
import Tensors

/// A trained CNN run, opened for evaluation and prediction.
public struct CNNRun: TrainedImageClassifier {
    public let directory: RunDirectory
    public let configuration: RunConfiguration
    public let options: CNNTrainingOptions
    public let inference: CNNInference

    /// Opens a CNN run directory: checks its format version, options and best weights
    /// (`weights.safetensors`), and rebuilds the network; `testTimeAugmentation` views of the
    /// kind `views` are averaged with each image; `precision` replaces the run's own (nil keeps it).
    /// - Throws: `RunDirectoryError` naming the directory or file at fault;
    ///   `CNNTrainingError.notACNNRun` for a classical run; `.invalidOption` for a negative TTA or a
    ///   precision this CPU cannot run.
    public static func open(_ url: URL, testTimeAugmentation: Int = 0, views: TestTimeViews = .mirror,
                            precision: ComputePrecision? = nil) throws -> CNNRun {
        let directory = RunDirectory(url)
        return try open(directory, configuration: try directory.loadConfiguration(),
                        testTimeAugmentation: testTimeAugmentation, views: views, precision: precision)
    }

    /// Opens the CNN run in `directory` whose `config.json` was read as `configuration`; with
    /// `optimized` false, no optimized inference network is built (Grad-CAM needs the training graph).
    static func open(_ directory: RunDirectory, configuration: RunConfiguration, testTimeAugmentation: Int,
                     views: TestTimeViews, precision: ComputePrecision? = nil, optimized: Bool = true) throws -> CNNRun {
        guard var options = configuration.cnn else {
            throw CNNTrainingError.notACNNRun(directory.url.path, model: configuration.model)
        }
        options.precision = precision ?? options.precision
        try options.checkPrecisionRunsHere(origin: precision == nil ? "the run's, \(directory.url.path)" : nil)
        guard (0...views.maximumViews).contains(testTimeAugmentation) else {
            throw CNNTrainingError.invalidOption(name: "tta", value: "\(testTimeAugmentation)",
                                                 expected: "0 to \(views.maximumViews) views (--tta-views \(views.rawValue))")
        }
        let weights = try directory.readRequired(directory.weights)
        try directory.verify(weights, of: directory.weights, against: configuration)
        let network: any ImageClassifierNetwork
        do {
            network = try options.blueprint.makeNetwork(seed: options.seed)
            try loadWeights(into: network, fromContentsOf: weights, source: directory.weights.path)
        } catch {
            throw RunDirectoryError.corrupt(directory.weights.path, reason: "\(error)")
        }
        return CNNRun(directory: directory, configuration: configuration, options: options,
                      inference: CNNInference(network: network, options: options, testTimeAugmentation: testTimeAugmentation,
                                              views: views, optimized: optimized))
    }

    public var inputSize: Int { options.inputSize }
    public var resizePolicy: ResizePolicy { options.resize }

    public func outputs(of images: [RGBImage], firstPosition: Int) throws -> (probabilities: [[Double]], features: [[Float]]) {
        try inference.outputs(of: images, firstPosition: firstPosition)
    }
}
