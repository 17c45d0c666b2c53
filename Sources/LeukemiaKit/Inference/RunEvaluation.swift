import Foundation
import Datasets
import Evaluation

/// The outcome of scoring a run on labelled images.
public struct EvaluationResult {
    public var metrics: ClassificationMetrics
    /// Images that could not be read, with the reason; they are not scored.
    public var skipped: [String: String]
    /// The folder where `metrics.json` and `report.md` were written.
    public var reportFolder: URL
}

/// Scores a trained run on its own test part or on another folder of class subfolders.
public enum RunEvaluation {
    /// Scores the test part of the run's split, read from the data folder the run was trained on
    /// (or `dataDirectory` when the data has moved); writes into the run directory.
    public static func evaluateTestPart(of run: any TrainedImageClassifier, dataDirectory: URL? = nil,
                                        cost: CostMatrix) throws -> EvaluationResult {
        let root = dataDirectory ?? URL(fileURLWithPath: run.configuration.dataDirectory)
        let manifest = try SplitManifest.load(from: run.directory.splitManifest)
        let folder = try ImageFolder.scan(root, requireAllClasses: false)
        let testImages = try manifest.resolve(against: folder).assigned.filter { $0.part == .test }.map(\.image)
        return try score(run, images: testImages, folder: folder, cost: cost, into: run.directory.url,
                         title: "\(run.configuration.model) — test part of \(root.lastPathComponent)")
    }

    /// Scores every image of `dataDirectory` (class subfolders); writes into
    /// `reportFolder`, by default `RUN_DIR/evaluations/<folder name>`.
    public static func evaluateFolder(of run: any TrainedImageClassifier, dataDirectory: URL,
                                      cost: CostMatrix, reportFolder: URL? = nil) throws -> EvaluationResult {
        let folder = try ImageFolder.scan(dataDirectory, requireAllClasses: false)
        let destination = reportFolder ?? run.directory.url
            .appendingPathComponent("evaluations").appendingPathComponent(dataDirectory.standardizedFileURL.lastPathComponent)
        return try score(run, images: folder.images, folder: folder, cost: cost, into: destination,
                         title: "\(run.configuration.model) — \(dataDirectory.path)")
    }

    private static func score(_ run: any TrainedImageClassifier, images: [DatasetImage], folder: ImageFolder,
                              cost: CostMatrix, into destination: URL, title: String) throws -> EvaluationResult {
        let results = try run.probabilities(forFilesAt: images.map { folder.url(of: $0) })
        var labels: [Int] = [], probabilities: [[Double]] = [], skipped: [String: String] = [:]
        for (image, result) in zip(images, results) {
            switch result {
            case .success(let p):
                labels.append(image.label.rawValue)
                probabilities.append(p)
            case .failure(let error):
                skipped[image.relativePath] = "\(error)"
            }
        }
        let metrics = try ClassificationMetrics(trueLabels: labels, probabilities: probabilities,
                                                classNames: LeukemiaClass.allCases.map(\.name), cost: cost)
        try EvaluationWriter.write(metrics: metrics, title: title,
                                   details: [("run", run.directory.url.path), ("images scored", "\(labels.count)"),
                                             ("skipped (unreadable)", "\(skipped.count)")],
                                   into: destination)
        return EvaluationResult(metrics: metrics, skipped: skipped, reportFolder: destination)
    }
}
