import Foundation
import ModelZoo
import NeuralNetworks

/// A trained CNN run, opened for evaluation and prediction.
public struct CNNRun: TrainedImageClassifier {
    public let directory: RunDirectory
    public let configuration: RunConfiguration
    public let options: CNNTrainingOptions
    public let inference: CNNInference

    /// Opens a CNN run directory: checks its format version, options and best weights
    /// (`weights.safetensors`), and rebuilds the network; `testTimeAugmentation` views of the
    /// kind `views` are averaged with each image.
    /// - Throws: `RunDirectoryError` naming the directory or file at fault;
    ///   `CNNTrainingError.notACNNRun` for a classical run; `.invalidOption` for a negative TTA.
    public static func open(_ url: URL, testTimeAugmentation: Int = 0, views: TestTimeViews = .mirror) throws -> CNNRun {
        let directory = RunDirectory(url)
        let configuration = try directory.loadConfiguration()
        guard CNNArchitecture(rawValue: configuration.model) != nil else {
            throw CNNTrainingError.notACNNRun(url.path, model: configuration.model)
        }
        guard let options = configuration.cnn else {
            throw RunDirectoryError.corrupt(directory.configuration.path, reason: "no 'cnn' options for a CNN run")
        }
        guard testTimeAugmentation >= 0 else {
            throw CNNTrainingError.invalidOption(name: "tta", value: "\(testTimeAugmentation)", expected: "at least 0")
        }
        _ = try directory.readRequired(directory.weights)
        let network = try options.blueprint.makeNetwork(seed: options.seed)
        do {
            try loadWeights(into: network, from: directory.weights)
        } catch {
            throw RunDirectoryError.corrupt(directory.weights.path, reason: "\(error)")
        }
        return CNNRun(directory: directory, configuration: configuration, options: options,
                      inference: CNNInference(network: network, options: options, testTimeAugmentation: testTimeAugmentation,
                                                 views: views))
    }

    /// Class probabilities (in `LeukemiaClass` order) for each file, or why it could not be read.
    public func probabilities(forFilesAt urls: [URL]) throws -> [Result<[Double], Error>] {
        let images = DecodedImageSet.load(urls.map { LabeledImageFile(path: $0.path, url: $0, label: 0) }, size: options.inputSize)
        let probabilities = Dictionary(zip(images.paths, try inference.probabilities(of: images.images)),
                                       uniquingKeysWith: { first, _ in first })
        return urls.map { url in
            if let p = probabilities[url.path] { return .success(p) }
            return .failure(CNNTrainingError.unreadableImage(url.path, reason: images.skipped[url.path] ?? "not decoded"))
        }
    }
}
