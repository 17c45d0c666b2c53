import ClassicML
import Foundation
import Datasets

/// Hand-crafted features of a list of labelled images, with the images that could not be read.
struct FeatureTable {
    var features: FeatureMatrix
    var labels: [Int]
    /// Paths (as given) of the rows, in row order.
    var paths: [String]
    /// Paths of unreadable images, with the reason; they have no row.
    var skipped: [String: String]

    /// Extracts features of `files` on both cores.
    init(files: [LabeledImageFile], extractor: HandcraftedFeatureExtractor) throws {
        let results = extractor.features(ofFilesAt: files.map(\.url))
        var rows: [[Float]] = []
        rows.reserveCapacity(files.count)
        labels = []
        paths = []
        skipped = [:]
        for (file, result) in zip(files, results) {
            switch result {
            case .success(let row):
                rows.append(row)
                labels.append(file.label)
                paths.append(file.path)
            case .failure(let error):
                skipped[file.path] = "\(error)"
            }
        }
        features = try FeatureMatrix(rows: rows)
    }
}
