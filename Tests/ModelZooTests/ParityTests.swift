import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Tensors
import TestSupport
import XCTest

/// Reduced-width networks loaded with the state dicts of their PyTorch twins give PyTorch's logits,
/// head inputs and feature maps on the same input (eval mode), to 1e-3 of the largest magnitude,
/// and PyTorch's parameter gradients.
final class ParityTests: XCTestCase {
    static let vggTiny = VGG.Configuration.vgg16.reduced(widthDivisor: 32, hiddenWidth: 16, classCount: 5)
    static let denseNetTiny = DenseNet.Configuration(growthRate: 4, blockLayerCounts: [2, 3, 2, 2], initialFeatures: 8,
                                                     bottleneckFactor: 2, classCount: 5)
    static let convNeXtTiny = ConvNeXt.Configuration.custom(widths: [8, 16, 24, 32], blockCounts: [1, 1, 2, 1],
                                                            stochasticDepthProbability: 0.1, classCount: 5)
    static let liteReduced = EfficientNetLite.Configuration(widthCoefficient: 0.25, depthCoefficient: 0.5, imageSize: 64,
                                                            dropoutRate: 0.2, classCount: 5)

    func testVGG16() throws {
        try checkParity(VGG(configuration: Self.vggTiny, seed: 1), fixture: "vgg16_tiny")
    }

    func testVGG16BN() throws {
        var configuration = Self.vggTiny
        configuration.batchNorm = true
        try checkParity(VGG(configuration: configuration, seed: 1), fixture: "vgg16_bn_tiny")
    }

    func testDenseNet() throws {
        try checkParity(DenseNet(configuration: Self.denseNetTiny, seed: 1), fixture: "densenet_tiny")
    }

    func testConvNeXt() throws {
        try checkParity(ConvNeXt(configuration: Self.convNeXtTiny, seed: 1), fixture: "convnext_tiny_widths")
    }

    func testEfficientNetLite() throws {
        try checkParity(EfficientNetLite(configuration: Self.liteReduced, seed: 1), fixture: "efficientnet_lite0_reduced")
    }

    private func checkParity(_ network: some ImageClassifierNetwork, fixture: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        try network.loadStateDict(fixtures.stateDict(fixture))
        network.eval()
        let expected = try fixtures.expectedOutputs(fixture)
        XCTAssertEqual(network.featureMapNames, try fixtures.stageNames(fixture), "\(fixture) stages", file: file, line: line)
        let input = try fixtures.input()
        try Tensor.withoutGradients {
            assertClose(network(input), try XCTUnwrap(expected["logits"]), "\(fixture) logits",
                        tolerance: .relativeToLargest(1e-3), file: file, line: line)
            assertClose(network.features(input), try XCTUnwrap(expected["features"]), "\(fixture) features",
                        tolerance: .relativeToLargest(1e-3), file: file, line: line)
            let maps = network.featureMaps(input)
            XCTAssertEqual(Set(maps.keys), Set(network.featureMapNames), file: file, line: line)
            let expectedMaps = expected.filter { $0.key.hasPrefix("map.") }
            XCTAssertFalse(expectedMaps.isEmpty, file: file, line: line)
            for (key, map) in expectedMaps {
                let name = String(key.dropFirst("map.".count))
                assertClose(try XCTUnwrap(maps[name], "\(fixture) has no feature map \(name)"), map, "\(fixture) \(name)",
                            tolerance: .relativeToLargest(1e-3), file: file, line: line)
            }
        }
        try checkGradients(network, fixture: fixture, file: file, line: line)
    }

    /// Back-propagation through the whole network gives PyTorch's parameter gradients of
    /// Σ logits · [-1, 0, 1, -1, 0] (eval mode) for a parameter at the start, middle and end of the body.
    private func checkGradients(_ network: some ImageClassifierNetwork, fixture: String,
                                file: StaticString, line: UInt) throws {
        let logits = network(try fixtures.input())
        let weights = try Tensor(shape: [1, network.classCount], scalars: (0..<network.classCount).map { Float($0 % 3) - 1 })
        (logits * weights).sum().backward()

        let expected = try fixtures.expectedOutputs(fixture).filter { $0.key.hasPrefix("grad.") }
        XCTAssertEqual(expected.count, 3, file: file, line: line)
        let parameters = Dictionary(network.namedParameters().map { ($0.name, $0.parameter) }) { first, _ in first }
        for (key, gradient) in expected {
            let name = String(key.dropFirst("grad.".count))
            let parameter = try XCTUnwrap(parameters[name], "\(fixture) has no parameter \(name)", file: file, line: line)
            assertClose(try XCTUnwrap(parameter.gradient, name, file: file, line: line), gradient,
                        "\(fixture) gradient of \(name)", tolerance: .relativeToLargest(1e-3), file: file, line: line)
        }
    }
}

/// Training mode, where DenseNet is deterministic: batch statistics and the running-statistics update.
final class TrainingModeParityTests: XCTestCase {
    func testDenseNetTrainingForwardUsesBatchStatisticsAndUpdatesRunningOnes() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        try network.loadStateDict(fixtures.stateDict("densenet_tiny"))
        network.train()
        let expected = try fixtures.expectedOutputs("densenet_tiny")
        let logits = network(try fixtures.input())
        assertClose(logits, try XCTUnwrap(expected["train.logits"]), "training-mode logits",
                    tolerance: .relativeToLargest(1e-3))
        let state = network.stateDict()
        for statistic in ["running_mean", "running_var"] {
            let actual = try Tensor(XCTUnwrap(state["features.norm0.\(statistic)"]))
            assertClose(actual, try XCTUnwrap(expected["train.features.norm0.\(statistic)"]), statistic,
                        tolerance: .relativeToLargest(1e-3))
        }
    }
}
