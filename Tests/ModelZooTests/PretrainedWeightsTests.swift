import Foundation
import ModelZoo
import NeuralNetworks
import Tensors
import WeightFiles
import XCTest

/// Weights files in torchvision's historical DenseNet form (old key names, no BatchNorm counters)
/// load after renaming.
final class PretrainedWeightsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ModelZooTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    /// The fixture with `denselayerN.norm1.weight` written back as `denselayerN.norm.1.weight` and
    /// without `num_batches_tracked`, like torchvision's densenet121-a639ec97.pth.
    private func oldStyleDenseNetFile() throws -> URL {
        var renamed: StateDict = [:]
        for (key, value) in try Fixture.stateDict("densenet_tiny") where !key.hasSuffix("num_batches_tracked") {
            let oldKey = key.replacingOccurrences(of: #"(denselayer\d+\.(norm|conv))([12])\."#, with: "$1.$3.",
                                                  options: .regularExpression)
            renamed[oldKey] = value
        }
        XCTAssertNotNil(renamed["features.denseblock1.denselayer1.norm.1.weight"])
        let url = directory.appendingPathComponent("densenet_old_keys.safetensors")
        try SafeTensors.write(renamed, to: url)
        return url
    }

    func testOldDenseNetKeysLoadWithTheHead() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        try network.loadPretrained(from: oldStyleDenseNetFile(), includingHead: true)
        network.eval()
        XCTAssertEqual(network.stateDict()["features.denseblock1.denselayer1.norm1.num_batches_tracked"]?.values, [0])
        let input = try Fixture.input()
        let logits = Tensor.withoutGradients { network(input) }
        assertClose(logits, try XCTUnwrap(Fixture.expectedOutputs("densenet_tiny")["logits"]), "logits")
    }

    func testBodyOnlyLoadingKeepsANewHead() throws {
        var configuration = ParityTests.denseNetTiny
        configuration.classCount = 4
        let network = try DenseNet(configuration: configuration, seed: 1)
        let head = network.head.weight.value.scalars
        try network.loadPretrained(from: oldStyleDenseNetFile(), includingHead: false)
        XCTAssertEqual(network.head.weight.value.scalars, head)

        let sameClasses = try DenseNet(configuration: configuration, seed: 2)
        XCTAssertThrowsError(try sameClasses.loadPretrained(from: oldStyleDenseNetFile(), includingHead: true)) { error in
            let mismatch = error as? StateDictMismatch
            XCTAssertEqual(mismatch?.misshaped.map(\.name), ["classifier.bias", "classifier.weight"])
        }
    }

    func testAMissingFileIsReportedByPath() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        let url = directory.appendingPathComponent("absent.pth")
        XCTAssertThrowsError(try network.loadPretrained(from: url, includingHead: true)) { error in
            XCTAssertTrue("\(error)".contains("absent.pth"), "\(error)")
        }
    }
}
