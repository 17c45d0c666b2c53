import Dispatch
import Foundation
import Imaging
import ToolkitSupport

/// Finds the cells of image files and writes, for each, into one folder (`leukemia cells`):
///
/// - `<stem>.cells.json`: the `CellDetectionRecord`;
/// - `<stem>.cells.png`: the image as stored with each cell's box drawn in `boxColor`.
public struct CellDetectionWriter {
    /// What was written for one image.
    public struct Output: Sendable {
        public let record: CellDetectionRecord
        /// The record file.
        public let json: URL
        /// The overlay file.
        public let overlay: URL
        /// The time spent in `CellDetector.detect(in:)`, in seconds (decoding and writing excluded).
        public let detectionSeconds: Double
    }

    /// The colour of the boxes in the overlays (pure green: it stands out on pink, purple and blue).
    public static let boxColor = RGBColor(red: 0, green: 255, blue: 0)

    public let detector: CellDetector
    /// The folder the files go to.
    public let folder: URL

    /// A writer into `folder` (created if needed).
    /// - Throws: `CellDetectorError` for a setting out of range; the file system's error when the
    ///   folder cannot be created.
    public init(detector: CellDetector, folder: URL) throws {
        try detector.validate()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.detector = detector
        self.folder = folder
    }

    /// Decodes the image file at `url`, finds its cells and writes its record and overlay under
    /// names starting with `stem`.
    /// - Throws: `ImageError` naming an unreadable or undecodable file; `AtomicFileError` naming a
    ///   file that cannot be written.
    public func write(fileAt url: URL, stem: String) throws -> Output {
        var image = try ImageDecoder.decode(fileAt: url)
        let start = DispatchTime.now().uptimeNanoseconds
        let cells = try detector.detect(in: image)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let record = CellDetectionRecord(image: CellDetectionRecord.imagePath(of: url), width: image.width,
                                         height: image.height, detector: detector, cells: cells)
        let json = folder.appendingPathComponent(stem + CellDetectionRecord.fileSuffix)
        let overlay = folder.appendingPathComponent(stem + CellDetectionRecord.overlaySuffix)
        try AtomicFile.write(try JSONFormatting.encode(record), to: json)
        image.drawBoxes(cells.map(\.box), color: Self.boxColor)
        try AtomicFile.write(try ImageEncoder.png(image), to: overlay)
        return Output(record: record, json: json, overlay: overlay, detectionSeconds: seconds)
    }
}
