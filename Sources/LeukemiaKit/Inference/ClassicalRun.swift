import ClassicML
import Foundation
import Imaging

/// A trained classical run (hand-crafted features with SVM or XGBoost), opened for evaluation
/// and prediction.
public struct ClassicalRun: TrainedImageClassifier {
    public let directory: RunDirectory
    public let configuration: RunConfiguration
    public let kind: ClassicalModelKind
    private let normalization: FeatureNormalization
    private let model: any ProbabilisticClassifier
    private let extractor: HandcraftedFeatureExtractor

    /// Opens a run directory, checking its version and that every file it needs is there.
    public static func open(_ url: URL) throws -> ClassicalRun {
        let directory = RunDirectory(url)
        return try open(directory, configuration: try directory.loadConfiguration())
    }

    /// Opens the classical run in `directory` whose `config.json` was read as `configuration`.
    static func open(_ directory: RunDirectory, configuration: RunConfiguration) throws -> ClassicalRun {
        guard let kind = ClassicalModelKind(rawValue: configuration.model) else {
            throw RunDirectoryError.corrupt(directory.configuration.path,
                                            reason: "unknown model '\(configuration.model)'")
        }
        let normalizationData = try directory.readRequired(directory.normalization)
        try directory.verify(normalizationData, of: directory.normalization, against: configuration)
        let normalization: FeatureNormalization
        do {
            normalization = try JSONDecoder().decode(FeatureNormalization.self, from: normalizationData)
        } catch {
            throw RunDirectoryError.corrupt(directory.normalization.path, reason: "\(error)")
        }
        let extractor = HandcraftedFeatureExtractor(purpleRange: configuration.purpleRange, inputSize: configuration.inputSize)
        try normalization.checkCompatible(with: extractor, file: directory.normalization)
        let modelFile = directory.model(kind: kind)
        guard FileManager.default.fileExists(atPath: modelFile.path) else {
            throw RunDirectoryError.incomplete(directory.url.path, missingFile: modelFile.lastPathComponent)
        }
        try directory.verify(modelFile, against: configuration)
        return ClassicalRun(directory: directory, configuration: configuration, kind: kind,
                            normalization: normalization, model: try kind.loadModel(from: modelFile),
                            extractor: extractor)
    }

    /// Features are computed at the extractor's working size.
    public var inputSize: Int { extractor.inputSize }
    /// The features are computed on a squashed square of fixed size, whatever the dataset.
    public var resizePolicy: ResizePolicy { .squash }

    /// The hand-crafted features of each image (on both cores), standardized as in training (also
    /// the feature vectors returned), then the model's probabilities.
    public func outputs(of images: [RGBImage], firstPosition: Int) throws -> (probabilities: [[Double]], features: [[Float]]) {
        guard !images.isEmpty else { return ([], []) }
        var rows = [[Float]](repeating: [], count: images.count)
        rows.withUnsafeMutableBufferPointer { output in
            let output = output
            DispatchQueue.concurrentPerform(iterations: images.count) { output[$0] = extractor.features(of: images[$0]) }
        }
        let standardized = try normalization.standardizer.transform(FeatureMatrix(rows: rows))
        let probabilities = try model.probabilities(for: standardized)
        return (images.indices.map { Array(probabilities[row: $0]) }, images.indices.map { Array(standardized[row: $0]) })
    }
}
