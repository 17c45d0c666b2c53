import ClassicML
import Foundation

/// The feature standardization of a run (fitted on its training part), with the feature names
/// it was fitted for, so that a run made with other features is refused rather than misread.
struct FeatureNormalization: Codable {
    var featureNames: [String]
    var standardizer: FeatureStandardizer

    enum CodingKeys: String, CodingKey { case featureNames = "feature_names", standardizer }

    /// Checks that this normalization fits the features the toolkit computes now.
    func checkCompatible(with extractor: HandcraftedFeatureExtractor, file: URL) throws {
        guard featureNames == extractor.featureNames else {
            throw RunDirectoryError.corrupt(file.path, reason:
                "its \(featureNames.count) features differ from the \(extractor.featureNames.count) this toolkit computes; retrain the run")
        }
    }
}
