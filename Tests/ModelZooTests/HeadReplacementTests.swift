import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Tensors
import TestSupport
import WeightFiles
import XCTest

/// A new k-class head on a pretrained body: the body's output is unchanged and the head is a plain
/// linear map of it.
final class HeadReplacementTests: XCTestCase {
    func testReplacedHeadScoresTheUnchangedFeatures() throws {
        let network = try ConvNeXt(configuration: ParityTests.convNeXtTiny, seed: 1)
        try network.loadStateDict(fixtures.stateDict("convnext_tiny_widths"))
        network.eval()
        let input = try fixtures.input()
        try network.replaceHead(classCount: 3, seed: 7)

        XCTAssertEqual(network.classCount, 3)
        XCTAssertEqual(network.stateDictShapes()["classifier.2.weight"], [3, 32])
        try Tensor.withoutGradients {
            let features = network.features(input)
            assertClose(features, try XCTUnwrap(fixtures.expectedOutputs("convnext_tiny_widths")["features"]), "features",
                        tolerance: .relativeToLargest(1e-3))
            // logits[n, c] = Σ_k features[n, k] · W[c, k] + b[c], computed here element by element.
            let (f, w, b) = (features.scalars, network.head.weight.value.scalars, try XCTUnwrap(network.head.bias).value.scalars)
            let expected = try Tensor(shape: [2, 3], scalars: (0..<6).map { index in
                let (n, c) = (index / 3, index % 3)
                return (0..<32).reduce(b[c]) { $0 + f[n * 32 + $1] * w[c * 32 + $1] }
            })
            assertClose(network(input), expected, "new head logits", tolerance: .relativeToLargest(1e-5))
        }
    }

    func testLoadBackboneKeepsTheNewHeadAndLoadsTheBody() throws {
        var configuration = ParityTests.denseNetTiny
        configuration.classCount = 3
        let network = try DenseNet(configuration: configuration, seed: 1)
        let headBefore = network.head.weight.value.scalars
        try network.loadBackbone(fixtures.stateDict("densenet_tiny"))
        network.eval()

        XCTAssertEqual(network.head.weight.value.scalars, headBefore)
        let expected = try XCTUnwrap(fixtures.expectedOutputs("densenet_tiny")["features"])
        try Tensor.withoutGradients {
            assertClose(network.features(try fixtures.input()), expected, "features of the loaded body",
                        tolerance: .relativeToLargest(1e-3))
        }
    }

    func testLoadBackboneRejectsAMissingBodyKeyAndChangesNothing() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        let before = network.stateDict()
        var stateDict = try fixtures.stateDict("densenet_tiny")
        stateDict["features.denseblock2.denselayer3.conv2.weight"] = nil

        XCTAssertThrowsError(try network.loadBackbone(stateDict)) { error in
            XCTAssertEqual((error as? StateDictMismatch)?.missing, ["features.denseblock2.denselayer3.conv2.weight"])
        }
        XCTAssertEqual(network.stateDict(), before)
    }

    func testFreezingTheBackboneLeavesOnlyTheHeadTrainable() throws {
        for network in [try EfficientNetLite(configuration: ParityTests.liteReduced, seed: 1) as any ImageClassifierNetwork,
                        try VGG(configuration: ParityTests.vggTiny, seed: 1)] {
            network.freezeBackbone()
            let trainable = network.namedParameters().filter { !$0.parameter.isFrozen }.map(\.name)
            XCTAssertEqual(trainable, [network.headKey + ".weight", network.headKey + ".bias"])
        }
        let network = try VGG(configuration: ParityTests.vggTiny, seed: 1)
        network.freezeBackbone()
        network(try fixtures.input()).sum().backward()
        let withGradient = network.namedParameters().filter { $0.parameter.gradient != nil }.map(\.name)
        XCTAssertEqual(withGradient, ["classifier.6.weight", "classifier.6.bias"])
    }
}
