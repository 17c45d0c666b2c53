import Datasets
import Foundation
import ToolkitSupport

/// The number of cells per image in each class of a data folder, from the records that
/// `leukemia cells` wrote (`leukemia dataset inspect --cells DIR`). A record belongs to the
/// folder's image at the path it stores (symbolic links resolved); records of other images are
/// counted apart, and so are images without a record.
public struct CellCountSummary: Sendable {
    /// The cell counts of one class.
    public struct ClassCounts: Sendable, Equatable {
        public let className: String
        /// Cells per image, one entry per image of the class that has a record, ascending.
        public let counts: [Int]

        /// The median count: the middle one, or the mean of the two middle ones; nil without records.
        public var median: Double? {
            guard !counts.isEmpty else { return nil }
            let middle = counts.count / 2
            return counts.count % 2 == 1 ? Double(counts[middle]) : Double(counts[middle - 1] + counts[middle]) / 2
        }
    }

    /// One entry per class of the folder, in class order.
    public let classes: [ClassCounts]
    /// The folder's images that have no record.
    public let imagesWithoutRecord: Int
    /// Records whose image is not in the folder.
    public let otherRecords: Int
    /// The records' folder.
    public let recordFolder: URL

    /// Reads every `*.cells.json` record in `recordFolder` (not below it) and counts the cells of
    /// the images of `folder`.
    /// - Throws: `CellRecordError` for a record that cannot be read or decoded, or a folder without records.
    public static func load(records recordFolder: URL, for folder: ImageFolder) throws -> CellCountSummary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: recordFolder.path)
                .filter { $0.hasSuffix(CellDetectionRecord.fileSuffix) }.sorted()
        } catch {
            throw CellRecordError.unreadable(path: recordFolder.path, reason: FileReadFailure.reason(recordFolder, error))
        }
        guard !names.isEmpty else { throw CellRecordError.noRecords(folder: recordFolder.path) }
        var labelOfImage: [String: Int] = [:]
        for image in folder.images {
            labelOfImage[CellDetectionRecord.imagePath(of: folder.url(of: image))] = image.label
        }
        var countsByLabel = [[Int]](repeating: [], count: folder.classes.count)
        var matched: Set<String> = [], otherRecords = 0
        for name in names {
            let file = recordFolder.appendingPathComponent(name)
            let record: CellDetectionRecord
            do {
                record = try JSONDecoder().decode(CellDetectionRecord.self, from: Data(contentsOf: file))
            } catch let error as DecodingError {
                throw CellRecordError.unreadable(path: file.path, reason: decodingFailureSummary(error))
            } catch {
                throw CellRecordError.unreadable(path: file.path, reason: FileReadFailure.reason(file, error))
            }
            let path = CellDetectionRecord.imagePath(of: URL(fileURLWithPath: record.image))
            guard let label = labelOfImage[path], matched.insert(path).inserted else {
                otherRecords += 1
                continue
            }
            countsByLabel[label].append(record.cells.count)
        }
        return CellCountSummary(
            classes: folder.classes.names.enumerated().map { ClassCounts(className: $1, counts: countsByLabel[$0].sorted()) },
            imagesWithoutRecord: folder.images.count - matched.count, otherRecords: otherRecords, recordFolder: recordFolder)
    }

    /// Human-readable lines: per class the minimum, median and maximum number of cells per image.
    public var lines: [String] {
        let recorded = classes.map(\.counts.count).reduce(0, +)
        var lines = ["cells per image, from the records in \(recordFolder.path) (\(recorded) images):"]
        let width = max(8, classes.map(\.className.count).max() ?? 0)
        for counts in classes {
            let name = counts.className.padding(toLength: width, withPad: " ", startingAt: 0)
            guard let median = counts.median, let minimum = counts.counts.first, let maximum = counts.counts.last else {
                lines.append("  \(name) no records")
                continue
            }
            let medianText = median == median.rounded() ? String(Int(median)) : String(format: "%.1f", median)
            lines.append("  \(name) min \(minimum), median \(medianText), max \(maximum) (\(counts.counts.count) images)")
        }
        if imagesWithoutRecord > 0 { lines.append("\(imagesWithoutRecord) images have no cell record") }
        if otherRecords > 0 { lines.append("\(otherRecords) records are of images not in this folder (or repeat one)") }
        return lines
    }
}
