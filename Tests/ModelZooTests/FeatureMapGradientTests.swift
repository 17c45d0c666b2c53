import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Tensors
import TestSupport
import XCTest

/// `logits(_:exposing:)` returns the Grad-CAM map as a gradient leaf whose gradient, where the
/// rest of the network is known in closed form, equals the hand-derived one.
final class FeatureMapGradientTests: XCTestCase {
    /// DenseNet: logits = W · mean_hw(relu(norm5)) + b, so d logit_c / d norm5[n, h, w, k] =
    /// W[c, k] · [norm5 > 0] / (H · W).
    func testDenseNetNorm5GradientIsHeadWeightOverAreaWhereActive() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        try network.loadStateDict(fixtures.stateDict("densenet_tiny"))
        network.eval()
        try checkGradient(network, fixture: "densenet_tiny", map: "features.norm5", throughReLU: true)
    }

    /// EfficientNet-Lite: logits = W · mean_hw(head) + b (dropout is off in eval mode).
    func testEfficientNetHeadGradientIsHeadWeightOverArea() throws {
        let network = try EfficientNetLite(configuration: ParityTests.liteReduced, seed: 1)
        try network.loadStateDict(fixtures.stateDict("efficientnet_lite0_reduced"))
        network.eval()
        try checkGradient(network, fixture: "efficientnet_lite0_reduced", map: "head", throughReLU: false)
    }

    func testUnknownFeatureMapIsRejectedByName() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 1)
        XCTAssertThrowsError(try network.logits(fixtures.input(), exposing: "features.norm6")) { error in
            XCTAssertEqual(error as? ModelZooError, .unknownFeatureMap(name: "features.norm6", available: network.featureMapNames))
            XCTAssertTrue("\(error)".contains("features.norm6"))
        }
    }

    func testExposingAMapWithoutGradientRecordingIsRejected() throws {
        let network = try EfficientNetLite(configuration: ParityTests.liteReduced, seed: 1)
        let input = try fixtures.input()
        XCTAssertThrowsError(try Tensor.withoutGradients { try network.logits(input, exposing: "head") }) { error in
            XCTAssertEqual(error as? ModelZooError, .gradientsNotRecorded(featureMap: "head"))
        }
    }

    private func checkGradient(_ network: some ImageClassifierNetwork, fixture: String, map name: String,
                               throughReLU: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let input = try fixtures.input()
        let (logits, map) = try network.logits(input, exposing: name)
        let expectedLogits = try XCTUnwrap(fixtures.expectedOutputs(fixture)["logits"])
        assertClose(logits, expectedLogits, "\(fixture) logits",
                    tolerance: .relativeToLargest(1e-3), file: file, line: line)

        let targetClass = 2
        let (batch, classes) = (logits.shape[0], logits.shape[1])
        let seed = try Tensor(shape: [batch, classes], scalars: (0..<batch * classes).map { $0 % classes == targetClass ? 1 : 0 })
        logits.backward(seed: seed)
        let gradient = try XCTUnwrap(map.gradient, file: file, line: line)

        let (height, width, channels) = (map.shape[1], map.shape[2], map.shape[3])
        let weights = network.head.weight.value.scalars
        let values = map.scalars
        let expected = try Tensor(shape: map.shape, scalars: values.indices.map { index in
            let active = !throughReLU || values[index] > 0
            return active ? weights[targetClass * channels + index % channels] / Float(height * width) : 0
        })
        assertClose(gradient, expected, "\(fixture) \(name) gradient",
                    tolerance: .relativeToLargest(1e-5), file: file, line: line)
    }
}
