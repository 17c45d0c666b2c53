import ModelZoo
import NeuralNetworks
import Tensors
import XCTest

/// Back-propagation through each whole network gives PyTorch's parameter gradients of
/// Σ logits · [-1, 0, 1, -1, 0] (eval mode) for a parameter at the start, middle and end of the body.
final class GradientTests: XCTestCase {
    func testVGG16() throws {
        try checkGradients(VGG(configuration: ParityTests.vggTiny, seed: 1), fixture: "vgg16_tiny")
    }

    func testVGG16BN() throws {
        var configuration = ParityTests.vggTiny
        configuration.batchNorm = true
        try checkGradients(VGG(configuration: configuration, seed: 1), fixture: "vgg16_bn_tiny")
    }

    func testDenseNet() throws {
        try checkGradients(DenseNet(configuration: ParityTests.denseNetTiny, seed: 1), fixture: "densenet_tiny")
    }

    func testConvNeXt() throws {
        try checkGradients(ConvNeXt(configuration: ParityTests.convNeXtTiny, seed: 1), fixture: "convnext_tiny_widths")
    }

    func testEfficientNetLite() throws {
        try checkGradients(EfficientNetLite(configuration: ParityTests.liteReduced, seed: 1), fixture: "efficientnet_lite0_reduced")
    }

    private func checkGradients(_ network: some ImageClassifierNetwork, fixture: String,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        try network.loadStateDict(Fixture.stateDict(fixture))
        network.eval()
        let logits = network(try Fixture.input())
        let weights = try Tensor(shape: [1, network.classCount], scalars: (0..<network.classCount).map { Float($0 % 3) - 1 })
        (logits * weights).sum().backward()

        let expected = try Fixture.expectedOutputs(fixture).filter { $0.key.hasPrefix("grad.") }
        XCTAssertEqual(expected.count, 3, file: file, line: line)
        let parameters = Dictionary(network.namedParameters().map { ($0.name, $0.parameter) }) { first, _ in first }
        for (key, gradient) in expected {
            let name = String(key.dropFirst("grad.".count))
            let parameter = try XCTUnwrap(parameters[name], "\(fixture) has no parameter \(name)", file: file, line: line)
            assertClose(try XCTUnwrap(parameter.gradient, name, file: file, line: line), gradient,
                        "\(fixture) gradient of \(name)", file: file, line: line)
        }
    }
}
