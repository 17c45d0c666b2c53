import ClassicML
import Foundation

/// A trained classical run, opened for evaluation and prediction.
public struct ClassicalRun {
    public let directory: RunDirectory
    public let configuration: RunConfiguration
    public let kind: ClassicalModelKind
    private let normalization: FeatureNormalization
    private let model: any ProbabilisticClassifier
    private let extractor: HandcraftedFeatureExtractor

    /// Opens a run directory, checking its version and that every file it needs is there.
    public static func open(_ url: URL) throws -> ClassicalRun {
        let directory = RunDirectory(url)
        let configuration = try directory.loadConfiguration()
        guard let kind = ClassicalModelKind(rawValue: configuration.model) else {
            throw RunDirectoryError.corrupt(directory.configuration.path,
                                            reason: "unknown model '\(configuration.model)'")
        }
        let normalizationData = try directory.readRequired(directory.normalization)
        let normalization: FeatureNormalization
        do {
            normalization = try JSONDecoder().decode(FeatureNormalization.self, from: normalizationData)
        } catch {
            throw RunDirectoryError.corrupt(directory.normalization.path, reason: "\(error)")
        }
        let extractor = HandcraftedFeatureExtractor(purpleRange: configuration.purpleRange, inputSize: configuration.inputSize)
        try normalization.checkCompatible(with: extractor, file: directory.normalization)
        let modelFile = directory.model(kind: kind)
        _ = try directory.readRequired(modelFile)
        return ClassicalRun(directory: directory, configuration: configuration, kind: kind,
                            normalization: normalization, model: try kind.loadModel(from: modelFile),
                            extractor: extractor)
    }

    /// Class probabilities (in `LeukemiaClass` order) for each file, or why it could not be read.
    public func probabilities(forFilesAt urls: [URL]) throws -> [Result<[Double], Error>] {
        let featureResults = extractor.features(ofFilesAt: urls)
        let readable = featureResults.compactMap { try? $0.get() }
        guard !readable.isEmpty else { return featureResults.map { $0.map { _ in [] } } }
        let probabilities = try model.probabilities(
            for: normalization.standardizer.transform(FeatureMatrix(rows: readable)))
        var nextRow = 0
        return featureResults.map { result in
            result.map { _ in
                defer { nextRow += 1 }
                return Array(probabilities[row: nextRow])
            }
        }
    }
}
