import Foundation
import Evaluation

/// What `leukemia compare` is asked: runs, cross-validation folders or study folders to put side
/// by side, optionally all scored on one folder, and where to write the report.
public struct ComparisonRequest: Sendable {
    /// Run directories, cross-validation folders (`train --folds`) or study folders (`study.json`).
    public var inputs: [URL]
    /// Score every model on every image of this folder instead of its own test part.
    public var dataDirectory: URL?
    /// A new or empty folder for `report.html`, `comparison.md`, `comparison.csv`, `comparison.json`.
    public var output: URL
    /// Bootstrap resamples over the test images.
    public var resamples: Int
    /// Seed of the bootstrap (one stream shared by every model: the same resampled images).
    public var seed: UInt64
    /// Confidence level of the intervals.
    public var level: Double
    /// Coverage of the split-conformal prediction sets the report evaluates and shows.
    public var coverage: Double
    /// A cost matrix for every model (nil: the runs' recorded matrix, which must agree).
    public var costFile: URL?
    /// Use the runs' raw probabilities instead of the calibrated ones.
    public var raw: Bool
    /// At most this many gallery cards (misclassified images) over all models.
    public var galleryLimit: Int
    /// Overlays in the gallery: Grad-CAM for CNN runs, the cells coloured by attention for cell-attention runs.
    public var gradCAM: Bool
    /// The command as typed, for the page's "how to reproduce".
    public var commandLine: String

    public init(inputs: [URL], dataDirectory: URL? = nil, output: URL, resamples: Int = Bootstrap.defaultResampleCount,
                seed: UInt64 = 42, level: Double = 0.95, coverage: Double = 0.95, costFile: URL? = nil, raw: Bool = false,
                galleryLimit: Int = 200, gradCAM: Bool = true, commandLine: String = "") {
        self.inputs = inputs
        self.dataDirectory = dataDirectory
        self.output = output
        self.resamples = resamples
        self.seed = seed
        self.level = level
        self.coverage = coverage
        self.costFile = costFile
        self.raw = raw
        self.galleryLimit = galleryLimit
        self.gradCAM = gradCAM
        self.commandLine = commandLine
    }
}
