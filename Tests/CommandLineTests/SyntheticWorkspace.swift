import Foundation
import TestSupport

/// A temporary folder holding a synthetic four-class data set (`data`: 8 images per class,
/// 32x32) and the tiny CNN's options (`TinyCNN`), for command-line tests that train CNNs.
struct SyntheticWorkspace {
    let url: URL
    /// The `train`/`study` options of the tiny DenseNet, its blueprint written into the folder.
    let tinyCNN: [String]

    var data: URL { url.appendingPathComponent("data") }

    init(seed: UInt64) throws {
        url = try TemporaryFolder().url
        try SyntheticSmears.writeDataset(at: url.appendingPathComponent("data"), perClass: 8, seed: seed, size: 32)
        tinyCNN = try TinyCNN.options(in: url)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
