import Foundation
import Imaging
import ToolkitSupport
import Evaluation

/// Draws a training's curves into a PNG: three panels side by side, each with axes and a light
/// grid of five divisions. Loss (train blue, validation orange), accuracy on [0, 1] (same
/// colours), and the learning rate on a log scale (green); a red vertical line marks the best
/// epoch. The panels carry no text: the numbers are in `epochs.jsonl`.
public enum TrainingCurves {
    public static let panelWidth = 320, panelHeight = 240, margin = 16

    static let train: (UInt8, UInt8, UInt8) = (31, 119, 180)
    static let validation: (UInt8, UInt8, UInt8) = (255, 127, 14)
    static let rate: (UInt8, UInt8, UInt8) = (44, 160, 44)
    static let best: (UInt8, UInt8, UInt8) = (214, 39, 40)

    /// The PNG bytes for `records` (at least one).
    public static func png(_ records: [EpochRecord]) throws -> Data {
        var canvas = Canvas(width: 3 * panelWidth, height: panelHeight)
        let epochs = records.map { Double($0.epoch) }
        let losses = records.flatMap { [$0.trainLoss, $0.validationLoss ?? .nan] }.filter(\.isFinite)
        let lossRange = 0...max(losses.max() ?? 1, 1e-6)
        let logRates = records.map { log10(max($0.learningRate, 1e-12)) }
        let rateRange = (logRates.min() ?? 0) - 0.5...(logRates.max() ?? 0) + 0.5
        let bestEpoch = records.last(where: \.isBest).map { Double($0.epoch) }
        let panels: [(ClosedRange<Double>, [([Double], (UInt8, UInt8, UInt8))])] = [
            (lossRange, [(records.map(\.trainLoss), train), (records.map { $0.validationLoss ?? .nan }, validation)]),
            (0...1, [(records.map(\.trainAccuracy), train), (records.map { $0.validationAccuracy ?? .nan }, validation)]),
            (rateRange, [(logRates, rate)]),
        ]
        for (index, (range, series)) in panels.enumerated() {
            let panel = Panel(originX: index * panelWidth, width: panelWidth, height: panelHeight, margin: margin,
                              xRange: 1...max(2, epochs.last ?? 1), yRange: range)
            panel.drawFrame(on: &canvas)
            if let bestEpoch { panel.drawVertical(at: bestEpoch, color: best, on: &canvas) }
            for (values, color) in series { panel.drawPolyline(x: epochs, y: values, color: color, on: &canvas) }
        }
        return try ImageEncoder.png(try RGBImage(width: canvas.width, height: canvas.height, pixels: canvas.pixels))
    }

    /// Writes the curves of `records` to `url`, atomically.
    public static func write(_ records: [EpochRecord], to url: URL) throws {
        guard !records.isEmpty else { return }
        try AtomicFile.write(try png(records), to: url)
    }
}
