import Foundation
import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Tensors
import TestSupport
import WeightFiles
import XCTest

/// A weights file in the form of torchvision's published DenseNet checkpoints (legacy torch.save
/// format, old key names, no BatchNorm counters) loads through `loadPretrained(from:includingHead:)`.
final class PretrainedWeightsTests: XCTestCase {
    func testLegacyDenseNetCheckpointLoadsWithTheHead() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        try network.loadPretrained(from: fixtures.url("densenet_tiny_legacy.pth"), includingHead: true)
        network.eval()
        XCTAssertEqual(network.stateDict()["features.denseblock1.denselayer1.norm1.num_batches_tracked"]?.values, [0])
        let input = try fixtures.input()
        let logits = Tensor.withoutGradients { network(input) }
        assertClose(logits, try XCTUnwrap(fixtures.expectedOutputs("densenet_tiny")["logits"]), "logits",
                    tolerance: .relativeToLargest(1e-3))
    }

    func testBodyOnlyLoadingKeepsANewHead() throws {
        var configuration = ParityTests.denseNetTiny
        configuration.classCount = 4
        let network = try DenseNet(configuration: configuration, seed: 1)
        let head = network.head.weight.value.scalars
        try network.loadPretrained(from: fixtures.url("densenet_tiny_legacy.pth"), includingHead: false)
        XCTAssertEqual(network.head.weight.value.scalars, head)
        network.eval()
        let input = try fixtures.input()
        let features = Tensor.withoutGradients { network.features(input) }
        assertClose(features, try XCTUnwrap(fixtures.expectedOutputs("densenet_tiny")["features"]), "features",
                    tolerance: .relativeToLargest(1e-3))
    }

    func testAHeadOfAnotherClassCountIsReportedWhenIncluded() throws {
        var configuration = ParityTests.denseNetTiny
        configuration.classCount = 4
        let network = try DenseNet(configuration: configuration, seed: 1)
        let before = network.stateDict()
        XCTAssertThrowsError(try network.loadPretrained(from: fixtures.url("densenet_tiny_legacy.pth"), includingHead: true)) { error in
            XCTAssertEqual((error as? StateDictMismatch)?.misshaped.map(\.name), ["classifier.bias", "classifier.weight"])
        }
        XCTAssertEqual(network.stateDict(), before)
    }

    func testAFileWithANonFiniteWeightIsRefusedAtImportNamingTheTensor() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        var stateDict = network.stateDict()
        stateDict["features.conv0.weight"]?.values[0] = .nan
        let url = try TemporaryFolder(self).url.appendingPathComponent("damaged.safetensors")
        try SafeTensors.write(stateDict, to: url)
        let before = network.stateDict()
        XCTAssertThrowsError(try network.loadPretrained(from: url, includingHead: true)) { error in
            XCTAssertTrue("\(error)".contains("tensor features.conv0.weight holds nan at element 0"), "\(error)")
        }
        XCTAssertEqual(network.stateDict(), before)
    }

    func testAMissingFileIsReportedByPath() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).pth")
        XCTAssertThrowsError(try network.loadPretrained(from: url, includingHead: true)) { error in
            XCTAssertTrue("\(error)".contains(url.lastPathComponent), "\(error)")
        }
    }
}
