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

    /// The hybrid: the purple mask, the U-Net's fused convolutions, pooling, up-convolution and skip
    /// concatenation, the optimized DenseNet backbone and the dense head's batch norms as affine maps.
    /// Disk images, so that the mask passes some pixels and the U-Net sees more than zeros.
    func testHybrid() throws {
        let network = try HybridFixtures.smallHybrid(dropout: 0.5, seed: 17)
        HybridFixtures.randomizeUNet(network, seed: 18)
        try checkSameLogits(network, size: 32, input: Self.diskImages(batch: 3, seed: 19))
    }

    /// The hybrid's inference network is a snapshot down to its up-convolutions.
    func testHybridIsASnapshotOfItsUpConvolutions() throws {
        let network = try HybridFixtures.smallHybrid(dropout: 0.5, seed: 27)
        HybridFixtures.randomizeUNet(network, seed: 28)
        network.eval()
        let input = try Self.diskImages(batch: 2, seed: 29)
        let optimized = network.optimizedForInference()
        let before = optimized(input)
        let up = try XCTUnwrap(network.unet.upConvolutions.first)
        up.weight.value = up.weight.value * -1
        let changed = Tensor.withoutGradients { network(input) }
        let scale = before.scalars.map(abs).max() ?? 0
        XCTAssertGreaterThan(zip(changed.scalars, before.scalars).map { abs($0 - $1) }.max() ?? 0, 1e-3 * scale,
                             "negating the up-convolution changes the plain logits")
        XCTAssertEqual(optimized(input).scalars, before.scalars, "the optimized network keeps its snapshot")
    }

    /// The study's U-Net also computes the decoder stages after the flattened one; they feed no
    /// logit, and the optimized network skips them with the same result.
    func testHybridWithStagesAfterTheFlattenedOne() throws {
        let network = try HybridFixtures.smallHybrid(dropout: 0.5, computesStagesAfterFlattened: true, seed: 20)
        HybridFixtures.randomizeUNet(network, seed: 21)
        try checkSameLogits(network, size: 32, input: Self.diskImages(batch: 2, seed: 22))
    }

    /// A hybrid in training mode (dropout 0.5, batch statistics) still gives evaluation-mode logits.
    func testHybridIgnoresTrainingModeOfSource() throws {
        let network = try HybridFixtures.smallHybrid(dropout: 0.5, seed: 23)
        HybridFixtures.randomizeUNet(network, seed: 24)
        network.randomizeNormalizationForParityChecks(seed: 25)
        let input = try Self.diskImages(batch: 3, seed: 26)
        network.train()
        let optimized = network.optimizedForInference()(input)
        network.eval()
        let plain = Tensor.withoutGradients { network(input) }
        assertClose(optimized, plain, "hybrid from a training-mode network", tolerance: .relativeToLargest(1e-4))
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

    /// `input` defaults to 3 normal-noise images of `size` x `size`.
    private func checkSameLogits(_ network: some ImageClassifierNetwork & InferenceOptimizable, size: Int, input: Tensor? = nil,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        network.randomizeNormalizationForParityChecks(seed: 11)
        network.eval()
        let input = input ?? Self.images(batch: 3, size: size, seed: 12)
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

    /// Normalized 32x32 images of 2–4 purple disks on a pink background (`HybridFixtures`).
    static func diskImages(batch: Int, seed: UInt64) throws -> Tensor {
        try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: (0..<batch).map { 2 + $0 % 3 }, side: 32, radius: 3,
                                                                seed: seed), images: batch, side: 32)
    }

    static func images(batch: Int, size: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.randomNormal([batch, size, size, 3], generator: &generator)
    }
}
