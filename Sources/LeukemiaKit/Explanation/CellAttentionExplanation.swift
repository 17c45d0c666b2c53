import Foundation
import Imaging
import ToolkitSupport

/// Where a cell-attention run looks: the cells it found in an image and the weight its attention
/// gave each, written as `<stem>.cells.png` (the image at the run's size with each cell's box
/// coloured by its weight on the viridis scale, the heaviest yellow; 2-pixel lines) and
/// `<stem>.attention.json` (the cells, heaviest first, with box, area, centroid and weight).
public struct CellAttentionExplanation: Codable, Sendable {
    /// One cell and its attention weight.
    public struct WeightedCell: Codable, Sendable {
        public var cell: DetectedCell
        /// Its share of the attention (the weights of an image's cells sum to 1).
        public var weight: Float
    }

    public var image: String
    public var predictedClass: String
    /// The calibrated probability of the predicted class.
    public var probability: Double
    /// The cells, heaviest first; empty when no cell was found (the whole image was classified).
    public var cells: [WeightedCell]
    /// Whether no cell was found, so the whole image was the one instance.
    public var wholeImage: Bool

    enum CodingKeys: String, CodingKey {
        case image, predictedClass = "predicted_class", probability, cells, wholeImage = "whole_image"
    }

    /// Explains `image` (as decoded; resized here to the run's size) with `run`: the explanation
    /// (`name` as its image) and the overlay, the resized image with each cell's box coloured by
    /// its weight relative to the heaviest (viridis: the heaviest yellow), 2-pixel lines.
    /// - Throws: what the run throws.
    public static func make(of image: RGBImage, named name: String,
                            with run: CellAttentionRun) throws -> (explanation: CellAttentionExplanation, overlay: RGBImage) {
        let input = image.resized(toSquare: run.inputSize, policy: run.resizePolicy)
        let (cells, prediction) = try run.explanations(of: [input])[0]
        let probabilities = run.calibration?.calibrated([prediction.probabilities])[0] ?? prediction.probabilities
        let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        let order = cells.indices.sorted { prediction.attention[$0] > prediction.attention[$1] }
        let explanation = CellAttentionExplanation(
            image: name, predictedClass: run.configuration.classes.names[predicted], probability: probabilities[predicted],
            cells: order.map { WeightedCell(cell: cells[$0], weight: prediction.attention[$0]) }, wholeImage: cells.isEmpty)
        var overlay = input
        let heaviest = max(prediction.attention.max() ?? 1, 1e-6)
        overlay.drawBoxes(cells.map(\.box), colors: prediction.attention.prefix(cells.count).map { RGBColor.viridis($0 / heaviest) },
                          lineWidth: 2)
        return (explanation, overlay)
    }

    /// Explains the image file `file` with `run` and writes `<stem>.cells.png` and
    /// `<stem>.attention.json` into `folder`.
    /// - Returns: the explanation and the overlay's URL.
    /// - Throws: `ImageError` naming the file; what the run or writing throw.
    public static func explain(fileAt file: URL, with run: CellAttentionRun, into folder: URL,
                               stem: String) throws -> (explanation: CellAttentionExplanation, overlay: URL) {
        let (explanation, overlay) = try make(of: try ImageDecoder.decode(fileAt: file), named: file.path, with: run)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw AtomicFileError.writeFailed(path: folder.path, reason: error.localizedDescription)
        }
        let overlayURL = folder.appendingPathComponent(stem + ".cells.png")
        try AtomicFile.write(try ImageEncoder.png(overlay), to: overlayURL)
        try AtomicFile.write(try JSONFormatting.encode(explanation), to: folder.appendingPathComponent(stem + ".attention.json"))
        return (explanation, overlayURL)
    }
}
