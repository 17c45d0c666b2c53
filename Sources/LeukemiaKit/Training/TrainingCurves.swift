import Foundation
import Imaging
import ToolkitSupport
import Evaluation

/// Draws a training's curves into a PNG (`curves.png`): the report's training-curves figure
/// (`Figure.trainingCurves`) with its learning-rate panel, rasterized: loss, accuracy on [0, 1]
/// and the learning rate on a log scale side by side, with axes, round tick labels, a legend and
/// the best epoch marked. The exact numbers are in `epochs.jsonl`.
public enum TrainingCurves {
    /// The figure of `records` (at least one); a refit's epochs have no validation curve.
    package static func figure(_ records: [EpochRecord]) -> Figure {
        .trainingCurves(epochs: records.map(\.epoch), trainLoss: records.map(\.trainLoss),
                        validationLoss: records.map { $0.validationLoss ?? .nan }, trainAccuracy: records.map(\.trainAccuracy),
                        validationAccuracy: records.map { $0.validationAccuracy ?? .nan }, bestEpoch: records.last(where: \.isBest)?.epoch,
                        learningRates: records.map(\.learningRate))
    }

    /// The PNG bytes for `records` (at least one).
    public static func png(_ records: [EpochRecord]) throws -> Data {
        let canvas = figure(records).rasterized()
        return try ImageEncoder.png(try RGBImage(width: canvas.width, height: canvas.height, pixels: canvas.pixels))
    }

    /// Writes the curves of `records` to `url`, atomically.
    public static func write(_ records: [EpochRecord], to url: URL) throws {
        guard !records.isEmpty else { return }
        try AtomicFile.write(try png(records), to: url)
    }
}
