import TestSupport
import XCTest
@testable import WeightFiles

final class DenseNetRenameTests: XCTestCase {
    func testOldDenseNetCheckpointKeysAreRenamed() throws {
        let loaded = try PyTorchCheckpoint.read(from: fixtures.url("densenet_style_legacy.pth"))
        let expected = try fixtures.expected("densenet_style")
        XCTAssertEqual(loaded, expected)
        let renamed = StateDictKeyRenames.torchvisionDenseNet(loaded)
        let layer = "features.denseblock1.denselayer1."
        XCTAssertEqual(Set(renamed.keys), [
            "features.conv0.weight", "features.norm0.weight", "classifier.weight", "classifier.bias",
            layer + "norm1.weight", layer + "norm1.bias", layer + "norm1.running_mean", layer + "norm1.running_var",
            layer + "conv1.weight",
            layer + "norm2.weight", layer + "norm2.bias", layer + "norm2.running_mean", layer + "norm2.running_var",
            layer + "conv2.weight",
        ])
        XCTAssertEqual(renamed[layer + "norm2.running_var"], expected[layer + "norm.2.running_var"])
    }

    func testOnlyKeysOfTheOldFormAreRenamed() {
        let cases: [(String, String?)] = [
            ("features.denseblock3.denselayer12.relu.2.weight", "features.denseblock3.denselayer12.relu2.weight"),
            ("denselayer7.conv.1.bias", "denselayer7.conv1.bias"),
            ("features.denseblock1.denselayer1.norm.3.weight", nil),        // only 1 and 2
            ("features.denseblock1.denselayer1.norm.1.num_batches_tracked", nil),
            ("features.denseblock1.denselayer.norm.1.weight", nil),         // needs a layer number
            ("features.denseblock1.layer1.norm.1.weight", nil),
            ("features.denseblock1.denselayer1.pool.1.weight", nil),
            ("norm.1.weight", nil),
        ]
        for (key, renamed) in cases {
            XCTAssertEqual(StateDictKeyRenames.denseNetKey(key), renamed, key)
        }
    }
}
