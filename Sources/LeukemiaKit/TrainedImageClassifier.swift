import Foundation

/// A trained model that gives class probabilities for image files: what evaluation and
/// prediction need, whatever the model family.
public protocol TrainedImageClassifier {
    /// The run directory the model lives in.
    var directory: RunDirectory { get }
    var configuration: RunConfiguration { get }
    /// Class probabilities (in `LeukemiaClass` order) for each file, or why it could not be read.
    func probabilities(forFilesAt urls: [URL]) throws -> [Result<[Double], Error>]
}

extension ClassicalRun: TrainedImageClassifier {}

/// Opens any run directory this toolkit writes.
public enum TrainedRuns {
    /// Opens the run at `url` as its `config.json`'s model family requires; `testTimeAugmentation`
    /// augmented views of the kind `views` are averaged with each image (CNN runs only).
    /// - Throws: `RunDirectoryError` for a missing, incomplete or incompatible run;
    ///   `CNNTrainingError.testTimeAugmentationUnsupported` for TTA on a classical run.
    public static func open(_ url: URL, testTimeAugmentation: Int = 0,
                            views: TestTimeViews = .mirror) throws -> any TrainedImageClassifier {
        let configuration = try RunDirectory(url).loadConfiguration()
        if CNNArchitecture(rawValue: configuration.model) != nil {
            return try CNNRun.open(url, testTimeAugmentation: testTimeAugmentation, views: views)
        }
        guard testTimeAugmentation == 0 else { throw CNNTrainingError.testTimeAugmentationUnsupported(url.path) }
        return try ClassicalRun.open(url)
    }
}
