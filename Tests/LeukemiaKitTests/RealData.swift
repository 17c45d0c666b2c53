import Foundation
import XCTest
@testable import LeukemiaKit

/// The real inputs some tests use when this machine has them, skipping the test otherwise: the
/// shared ALL images (never copied into the repository) and the imported EfficientNet-Lite0
/// ImageNet weights (`leukemia weights install efficientnet-lite0`, run by the setup script).
enum RealData {
    /// `../shared/data/ALL` beside the repository.
    /// - Throws: `XCTSkip` when the folder is absent.
    static func allFolder() throws -> URL {
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data/ALL").standardizedFileURL
        guard FileManager.default.fileExists(atPath: data.path) else { throw XCTSkip("no data folder at \(data.path)") }
        return data
    }

    /// The weight store holding the imported EfficientNet-Lite0 weights.
    /// - Throws: `XCTSkip` when they are not imported.
    static func lite0WeightStore() throws -> WeightStore {
        let store = WeightStore(folder: WeightStore.defaultFolder())
        guard store.importedArchitectures().contains("efficientnet-lite0") else {
            throw XCTSkip("efficientnet-lite0 weights are not imported; run `leukemia weights install efficientnet-lite0`")
        }
        return store
    }
}
