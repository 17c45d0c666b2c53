import Foundation
import Imaging

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
        let losses = records.flatMap { [$0.trainLoss, $0.validationLoss] }.filter(\.isFinite)
        let lossRange = 0...max(losses.max() ?? 1, 1e-6)
        let logRates = records.map { log10(max($0.learningRate, 1e-12)) }
        let rateRange = (logRates.min() ?? 0) - 0.5...(logRates.max() ?? 0) + 0.5
        let bestEpoch = records.last(where: \.isBest).map { Double($0.epoch) }
        let panels: [(ClosedRange<Double>, [([Double], (UInt8, UInt8, UInt8))])] = [
            (lossRange, [(records.map(\.trainLoss), train), (records.map(\.validationLoss), validation)]),
            (0...1, [(records.map(\.trainAccuracy), train), (records.map(\.validationAccuracy), validation)]),
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

/// A white RGB raster.
struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ color: (UInt8, UInt8, UInt8)) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let offset = (y * width + x) * 3
        pixels[offset] = color.0
        pixels[offset + 1] = color.1
        pixels[offset + 2] = color.2
    }

    /// A line two pixels thick from (x0, y0) to (x1, y1).
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ color: (UInt8, UInt8, UInt8), thick: Bool = true) {
        let steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for step in 0...steps {
            let x = x0 + (x1 - x0) * step / steps, y = y0 + (y1 - y0) * step / steps
            set(x, y, color)
            if thick { set(x + 1, y, color); set(x, y + 1, color) }
        }
    }
}

/// One plot area of the canvas, mapping data coordinates to pixels.
struct Panel {
    let originX: Int, width: Int, height: Int, margin: Int
    let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>

    static let axis: (UInt8, UInt8, UInt8) = (0, 0, 0)
    static let grid: (UInt8, UInt8, UInt8) = (225, 225, 225)

    var left: Int { originX + margin }
    var right: Int { originX + width - margin }
    var top: Int { margin }
    var bottom: Int { height - margin }

    func pixelX(_ x: Double) -> Int {
        left + Int(((x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(right - left)).rounded())
    }

    func pixelY(_ y: Double) -> Int {
        let clamped = min(max(y, yRange.lowerBound), yRange.upperBound)
        return bottom - Int(((clamped - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Double(bottom - top)).rounded())
    }

    func drawFrame(on canvas: inout Canvas) {
        for division in 1...5 {
            let y = bottom - (bottom - top) * division / 5, x = left + (right - left) * division / 5
            canvas.line(left, y, right, y, Self.grid, thick: false)
            canvas.line(x, top, x, bottom, Self.grid, thick: false)
        }
        canvas.line(left, bottom, right, bottom, Self.axis, thick: false)
        canvas.line(left, top, left, bottom, Self.axis, thick: false)
    }

    func drawVertical(at x: Double, color: (UInt8, UInt8, UInt8), on canvas: inout Canvas) {
        canvas.line(pixelX(x), top, pixelX(x), bottom, color, thick: false)
    }

    func drawPolyline(x: [Double], y: [Double], color: (UInt8, UInt8, UInt8), on canvas: inout Canvas) {
        let points = zip(x, y).filter { $0.1.isFinite }.map { (pixelX($0.0), pixelY($0.1)) }
        if points.count == 1 {
            for dx in -2...2 { for dy in -2...2 { canvas.set(points[0].0 + dx, points[0].1 + dy, color) } }
        }
        for (from, to) in zip(points, points.dropFirst()) { canvas.line(from.0, from.1, to.0, to.1, color) }
    }
}
