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
    public static func open(_ url: URL) throws -> any TrainedImageClassifier {
        try ClassicalRun.open(url)
    }
}
