import Foundation
import Imaging

/// What `leukemia cells` writes for one image as `<name>.cells.json`: the image, the detector's
/// settings and the cells found, in pixels of the image as stored (x to the right, y down, from
/// the top-left pixel).
public struct CellDetectionRecord: Codable, Equatable, Sendable {
    /// The image file's absolute path, symbolic links resolved (so that `leukemia dataset inspect
    /// --cells` can match the record to an image of a data folder).
    public var image: String
    /// The image's width in pixels, as stored.
    public var width: Int
    /// The image's height in pixels, as stored.
    public var height: Int
    /// The settings the cells were found with.
    public var detector: CellDetector
    /// The cells, in the detector's order.
    public var cells: [DetectedCell]

    public init(image: String, width: Int, height: Int, detector: CellDetector, cells: [DetectedCell]) {
        self.image = image
        self.width = width
        self.height = height
        self.detector = detector
        self.cells = cells
    }

    /// The file name ending of records, after the image's stem.
    public static let fileSuffix = ".cells.json"
    /// The file name ending of the overlays, after the image's stem.
    public static let overlaySuffix = ".cells.png"

    /// The path a record stores for the image file at `url`.
    static func imagePath(of url: URL) -> String {
        url.standardizedFileURL.resolvingSymlinksInPath().path
    }
}
