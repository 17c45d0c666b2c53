@testable import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import XCTest

/// `optimizedForInference()` (folded batch norms, fused activations, DenseNet's shared channel
/// buffer and pool-before-convolution transitions, ConvNeXt's folded layer scale) gives the plain
/// evaluation-mode logits of reduced networks to 1e-4 of the largest logit, with batch norms and
/// layer scales randomized so that folding them is not the identity.
final class InferenceOptimizationTests: XCTestCase {
    func testVGG16() throws {
        try checkSameLogits(VGG(configuration: ParityTests.vggTiny, seed: 1), size: 32)
    }

    func testVGG16BN() throws {
        var configuration = ParityTests.vggTiny
        configuration.batchNorm = true
        try checkSameLogits(VGG(configuration: configuration, seed: 2), size: 32)
    }

    /// Widths 16-128: the 64- and 128-channel 3x3 layers run Winograd in the channel-blocked chain.
    func testVGG16WithWinogradLayers() throws {
        let configuration = VGG.Configuration.vgg16.reduced(widthDivisor: 4, hiddenWidth: 16, classCount: 5)
        try checkSameLogits(VGG(configuration: configuration, seed: 13), size: 32)
    }

    func testDenseNet() throws {
        try checkSameLogits(DenseNet(configuration: ParityTests.denseNetTiny, seed: 3), size: 35)
    }

    /// Passes of two images each (2, 2, 1) give the logits of the whole batch at once.
    func testDenseNetInSeveralPasses() throws {
        let network = try DenseNet(configuration: ParityTests.denseNetTiny, seed: 14)
        network.randomizeNormalizationForParityChecks(seed: 15)
        network.eval()
        let input = Self.images(batch: 5, size: 35, seed: 16)
        let inPasses = network.optimizedForInference(inputPixelsPerPass: 2 * 35 * 35 + 34)(input)
        let plain = Tensor.withoutGradients { network(input) }
        assertClose(inPasses, plain, "DenseNet in passes of 2 images", tolerance: .relativeToLargest(1e-4))
    }

    func testConvNeXt() throws {
        try checkSameLogits(ConvNeXt(configuration: ParityTests.convNeXtTiny, seed: 4), size: 32)
    }

    func testEfficientNetLite() throws {
        try checkSameLogits(EfficientNetLite(configuration: ParityTests.liteReduced, seed: 5), size: 64)
    }

    /// The optimized network computes evaluation-mode logits even when the source network is in
    /// training mode (dropout, stochastic depth and batch statistics would otherwise change them).
    func testIgnoresTrainingModeOfSource() throws {
        let network = try EfficientNetLite(configuration: ParityTests.liteReduced, seed: 6)
        network.randomizeNormalizationForParityChecks(seed: 7)
        let input = Self.images(batch: 3, size: 64, seed: 8)
        network.train()
        let optimized = network.optimizedForInference()(input)
        network.eval()
        let plain = Tensor.withoutGradients { network(input) }
        assertClose(optimized, plain, "Lite from a training-mode network", tolerance: .relativeToLargest(1e-4))
    }

    /// The optimized network is a snapshot: changing the source's weights afterwards does not change it.
    func testIsASnapshotOfTheWeights() throws {
        let network = try VGG(configuration: ParityTests.vggTiny, seed: 9)
        network.eval()
        let input = Self.images(batch: 2, size: 32, seed: 10)
        let optimized = network.optimizedForInference()
        let before = optimized(input)
        guard let firstConvolution = network.featureLayers.children.first?.layer as? Conv2d else {
            return XCTFail("VGG's first feature layer is a Conv2d")
        }
        firstConvolution.weight.value.withUnsafeMutableBufferPointer { weights in
            for index in weights.indices { weights[index] *= -1 }
        }
        let changed = Tensor.withoutGradients { network(input) }
        let scale = before.scalars.map(abs).max() ?? 0
        XCTAssertGreaterThan(zip(changed.scalars, before.scalars).map { abs($0 - $1) }.max() ?? 0, 1e-2 * scale,
                             "negating the first convolution changes the plain logits")
        XCTAssertEqual(optimized(input).scalars, before.scalars, "the optimized network keeps its snapshot")
        assertClose(network.optimizedForInference()(input), changed, "a new snapshot", tolerance: .relativeToLargest(1e-4))
    }

    private func checkSameLogits(_ network: some ImageClassifierNetwork & InferenceOptimizable, size: Int,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        network.randomizeNormalizationForParityChecks(seed: 11)
        network.eval()
        let input = Self.images(batch: 3, size: size, seed: 12)
        let plain = Tensor.withoutGradients { network(input) }
        let fast = network.optimizedForInference()
        let optimized = fast(input)
        XCTAssertEqual(optimized.shape, plain.shape, file: file, line: line)
        assertClose(optimized, plain, "\(type(of: network)) optimized logits",
                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
        XCTAssertEqual(fast(input).scalars, optimized.scalars,
                       "a second run (cached reordered weights) gives the same logits", file: file, line: line)
        // The body alone gives the vector the head consumes, and the head turns it into the logits.
        let features = fast.features(input)
        assertClose(features, Tensor.withoutGradients { network.features(input) }, "\(type(of: network)) optimized features",
                    tolerance: .relativeToLargest(1e-4), file: file, line: line)
        XCTAssertEqual(fast.logits(ofFeatures: features).scalars, optimized.scalars, file: file, line: line)
    }

    static func images(batch: Int, size: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.randomNormal([batch, size, size, 3], generator: &generator)
    }
}
