import Imaging
import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import XCTest
@testable import LeukemiaKit

/// Grad-CAM against hand-computed class activation maps, finite differences, and a network that
/// learned to find a coloured patch.
final class GradCAMTests: XCTestCase {
    /// One 1x1 convolution passing red and green through, a 2x2 average pooling (the exposed map
    /// `conv`, A `[2, 2, 2]` for a 4x4 image), global average pooling and a linear head W: the
    /// logit of c is Σ_k W[c, k] · mean(A_k), so alpha_k = W[c, k] / 4 and Grad-CAM is the class
    /// activation map ReLU(Σ_k W[c, k] A_k) / 4 of Zhou et al.
    final class ClassActivationNetwork: ImageClassifierNetwork {
        let conv: Conv2d
        var head: Linear
        var isTraining = true
        var headKey: String { "head" }
        var featureMapNames: [String] { ["conv"] }
        var topBlocksStart: String { "conv" }
        var children: [NamedLayer] { [("conv", conv), ("head", head)] }

        init(headWeights: [Float]) throws {
            var generator = SeededGenerator(seed: 1)
            conv = try Conv2d(inChannels: 3, outChannels: 2, kernelSize: 1, generator: &generator)
            conv.weight.value = try Tensor(shape: [2, 3, 1, 1], scalars: [1, 0, 0, 0, 1, 0])
            conv.bias?.value = Tensor.zeros([2])
            head = try Linear(inFeatures: 2, outFeatures: 2, generator: &generator)
            head.weight.value = try Tensor(shape: [2, 2], scalars: headWeights)
            head.bias?.value = Tensor.zeros([2])
        }

        func features(_ x: Tensor, tap: FeatureMapTap) -> Tensor {
            globalAvgPool2d(tap("conv", avgPool2d(conv(x), kernelSize: 2)))
        }
    }

    /// A 4x4 image of four uniform 2x2 blocks given as (red, green) with blue 0, left to right,
    /// top to bottom.
    private func blockImage(_ blocks: [(UInt8, UInt8)]) throws -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: 4 * 4 * 3)
        for y in 0..<4 {
            for x in 0..<4 {
                let block = blocks[(y / 2) * 2 + x / 2]
                pixels[(y * 4 + x) * 3] = block.0
                pixels[(y * 4 + x) * 3 + 1] = block.1
            }
        }
        return try RGBImage(width: 4, height: 4, pixels: pixels)
    }

    func testGradCAMOfConvolutionPoolingAndLinearHeadIsTheClassActivationMap() throws {
        // W = [[1, -1], [-2, 1]]; with pixels / 255, A_0 = red and A_1 = green per block:
        // (1, 0), (0, 1) / (1, 1), (0.2, 0).
        let network = try ClassActivationNetwork(headWeights: [1, -1, -2, 1])
        let gradCAM = GradCAM(network: network, normalization: .unit)
        let image = try blockImage([(255, 0), (0, 255), (255, 255), (51, 0)])
        XCTAssertEqual(gradCAM.defaultLayers, ["conv"])
        let forPrediction = try gradCAM.explain([image])[0]
        let forClass1 = try gradCAM.explain([image], classIndex: 1)[0]

        // Logits 0.55 − 0.5 = 0.05 and −1.1 + 0.5 = −0.6: class 0 is predicted.
        XCTAssertEqual(forPrediction.classIndex, 0)
        XCTAssertEqual(forPrediction.predictedClassIndex, 0)
        XCTAssertEqual(forPrediction.probability, 1 / (1 + exp(-0.65)), accuracy: 1e-5)
        XCTAssertEqual(forClass1.classIndex, 1)
        XCTAssertEqual(forClass1.probability, 1 / (1 + exp(0.65)), accuracy: 1e-5)

        // alpha = W[c] / 4; coarse map ReLU((A_0 − A_1) / 4) and ReLU((−2 A_0 + A_1) / 4).
        let map0 = forPrediction.maps[0], map1 = forClass1.maps[0]
        XCTAssertEqual(map0.layer, "conv")
        assertWithin(map0.channelWeights, [0.25, -0.25], tolerance: 1e-6)
        assertWithin(map1.channelWeights, [-0.5, 0.25], tolerance: 1e-6)
        XCTAssertEqual([map0.coarseWidth, map0.coarseHeight], [2, 2])
        assertWithin(map0.coarseValues, [0.25, 0, 0, 0.05], tolerance: 1e-6)
        assertWithin(map1.coarseValues, [0, 0.25, 0, 0], tolerance: 1e-6)

        // Bilinear upsampling to 4x4 with pixel centres aligned: the right (lower) cell weighs
        // 0, 1/4, 3/4, 1 at x (y) = 0 ... 3; then divided by the maximum.
        let upper: [Float] = [0, 0.25, 0.75, 1]
        XCTAssertEqual([map0.width, map0.height], [4, 4])
        for y in 0..<4 {
            for x in 0..<4 {
                let expected0 = (1 - upper[x]) * (1 - upper[y]) + 0.2 * upper[x] * upper[y]
                XCTAssertEqual(map0.value(x: x, y: y), expected0, accuracy: 1e-5, "class 0 at (\(x), \(y))")
                XCTAssertEqual(map1.value(x: x, y: y), upper[x] * (1 - upper[y]), accuracy: 1e-5, "class 1 at (\(x), \(y))")
            }
        }
        XCTAssertEqual(map0.values.max(), 1)
    }

    func testAMapWithoutPositiveEvidenceStaysZero() throws {
        // Red everywhere: class 1's weighted map −2 · 1 / 4 + 0 is negative everywhere.
        let network = try ClassActivationNetwork(headWeights: [1, -1, -2, 1])
        let image = try blockImage(Array(repeating: (255, 0), count: 4))
        let map = try GradCAM(network: network, normalization: .unit).explain([image], classIndex: 1)[0].maps[0]
        XCTAssertEqual(map.values, Array(repeating: 0, count: 16))
        XCTAssertEqual(map.heatmap().pixel(x: 0, y: 0).red, 68, "0 is viridis' dark purple")
    }

    /// alpha_k is the mean gradient over the map: shifting channel k of the map by ε everywhere
    /// changes the logit by ε · h · w · alpha_k to first order.
    func testChannelWeightsMatchFiniteDifferencesThroughTheRestOfADenseNet() throws {
        let network = try CNNTestFixture.tinyDenseNet.makeNetwork(seed: 5)
        network.eval()
        let image = randomImage(side: 32, seed: 6)
        let layer = "features.denseblock1", target = 2
        let map = try GradCAM(network: network, normalization: .imageNet).explain([image], classIndex: target, layers: [layer])[0].maps[0]
        let input = try ImageBatchLoader.inputTensor(of: [image], epoch: 0, firstPosition: 0, augmentation: nil,
                                                     normalization: .imageNet, seed: 0) { _ in "image" }
        let channels = map.channelWeights.count
        let area = Float(map.coarseWidth * map.coarseHeight)
        func logit(shifting channel: Int, by epsilon: Float) throws -> Float {
            var shift = [Float](repeating: 0, count: channels)
            shift[channel] = epsilon
            let shiftTensor = try Tensor(shape: [channels], scalars: shift)
            return Tensor.withoutGradients {
                network.head(network.features(input) { name, featureMap in name == layer ? featureMap + shiftTensor : featureMap })
            }.scalars[target]
        }
        let epsilon: Float = 1e-3
        let finiteDifferences = try (0..<channels).map { channel in
            (try logit(shifting: channel, by: epsilon) - logit(shifting: channel, by: -epsilon)) / (2 * epsilon * area)
        }
        let largest = finiteDifferences.map(abs).max() ?? 0
        XCTAssertGreaterThan(largest, 1e-4, "the logit depends on the map")
        assertWithin(map.channelWeights, finiteDifferences, tolerance: 2e-2 * largest)

        // The coarse map is ReLU(Σ_k alpha_k A_k) of the network's own feature map.
        let activations = try XCTUnwrap(Tensor.withoutGradients { network.featureMaps(input) }[layer]).scalars
        let expected = (0..<Int(area)).map { position in
            max(0, (0..<channels).reduce(Float(0)) { $0 + map.channelWeights[$1] * activations[position * channels + $1] })
        }
        assertWithin(map.coarseValues, expected, tolerance: 1e-5 * (expected.max() ?? 1))
    }

    func testAnEarlierMapKeepsItsWholeGradientWhenALaterOneIsExplainedInTheSamePass() throws {
        let network = try CNNTestFixture.tinyDenseNet.makeNetwork(seed: 5)
        let gradCAM = GradCAM(network: network, normalization: .imageNet)
        let images = [randomImage(side: 32, seed: 7), randomImage(side: 32, seed: 8)]
        let alone = try gradCAM.explain(images, layers: ["features.denseblock1"])
        let together = try gradCAM.explain(images, layers: ["features.denseblock1", "features.norm5"])
        for (single, pair) in zip(alone, together) {
            assertWithin(pair.maps[0].channelWeights, single.maps[0].channelWeights,
                        tolerance: 1e-5 * (single.maps[0].channelWeights.map(abs).max() ?? 1))
            XCTAssertEqual(pair.maps.map(\.layer), ["features.denseblock1", "features.norm5"])
        }
        // The pass leaves no parameter gradient and every parameter as trainable as before.
        XCTAssertTrue(network.parameters().allSatisfy { $0.gradient == nil && !$0.isFrozen })
    }

    func testTheHybridExplainsItsBackboneAndItsUNetInOnePass() throws {
        let network = try CNNTestFixture.tinyHybrid.makeNetwork(seed: 3)
        let gradCAM = GradCAM(network: network, normalization: .imageNet)
        XCTAssertEqual(gradCAM.defaultLayers, ["backbone.features.norm5", "unet.conv4"])
        let explanation = try gradCAM.explain([randomImage(side: 32, seed: 9)])[0]
        XCTAssertEqual(explanation.maps.map(\.layer), ["backbone.features.norm5", "unet.conv4"])
        for map in explanation.maps {
            XCTAssertEqual([map.width, map.height], [32, 32])
            XCTAssertTrue(map.values.allSatisfy { (0...1).contains($0) })
            XCTAssertTrue(map.values.max() == 1 || map.values.max() == 0)
        }
        XCTAssertGreaterThan(explanation.map(of: "unet.conv4")!.channelWeights.map(abs).max()!, 0)
        let hybrid = try XCTUnwrap(network as? HybridNetwork)
        XCTAssertTrue(hybrid.backbone.head.weight.isFrozen, "the unused backbone head stays frozen")
    }

    func testDefaultLayersAreTheLastConvolutionalStageOfEachArchitecture() throws {
        let vgg16 = try VGG(configuration: VGG.Configuration.vgg16.reduced(widthDivisor: 64, hiddenWidth: 4, classCount: 2), seed: 1)
        let vgg16BN = try VGG(configuration: VGG.Configuration.vgg16BN.reduced(widthDivisor: 64, hiddenWidth: 4, classCount: 2),
                              seed: 1)
        let denseNet = try CNNTestFixture.tinyDenseNet.makeNetwork(seed: 1)
        let convNeXt = try ConvNeXt(configuration: .custom(widths: [4, 8, 8, 8], blockCounts: [1, 1, 1, 1],
                                                           stochasticDepthProbability: 0, classCount: 2), seed: 1)
        var lite = EfficientNetLite.Configuration.lite0
        lite.widthCoefficient = 0.25
        lite.imageSize = 32
        lite.classCount = 2
        let efficientNet = try EfficientNetLite(configuration: lite, seed: 1)
        XCTAssertEqual(GradCAM.defaultLayers(of: vgg16), ["features.29"])
        XCTAssertEqual(GradCAM.defaultLayers(of: vgg16BN), ["features.42"])
        XCTAssertEqual(GradCAM.defaultLayers(of: denseNet), ["features.norm5"])
        XCTAssertEqual(GradCAM.defaultLayers(of: convNeXt), ["features.7"])
        XCTAssertEqual(GradCAM.defaultLayers(of: efficientNet), ["head"])
    }

    func testUnknownLayersAndClassesAreNamed() throws {
        let gradCAM = GradCAM(network: try CNNTestFixture.tinyDenseNet.makeNetwork(seed: 1), normalization: .imageNet)
        let image = randomImage(side: 32, seed: 1)
        XCTAssertThrowsError(try gradCAM.explain([image], layers: ["features.norm6"])) { error in
            XCTAssertEqual(error as? GradCAMError, .unknownLayer("features.norm6", available: gradCAM.availableLayers))
            XCTAssertTrue("\(error)".contains("features.norm6") && "\(error)".contains("features.norm5"), "\(error)")
        }
        XCTAssertThrowsError(try gradCAM.explain([image], classIndex: 4)) { error in
            XCTAssertEqual(error as? GradCAMError, .classOutOfRange(4, classCount: 4))
        }
        XCTAssertThrowsError(try gradCAM.explain([image], layers: [])) { error in
            XCTAssertEqual(error as? GradCAMError, .noLayers)
        }
    }

    func testOverlayBlendsViridisAtTheGivenOpacity() throws {
        let network = try ClassActivationNetwork(headWeights: [1, -1, -2, 1])
        let image = try blockImage([(255, 0), (0, 255), (255, 255), (51, 0)])
        let map = try GradCAM(network: network, normalization: .unit).explain([image])[0].maps[0]
        let overlay = try map.overlay(on: image, opacity: 0.5)
        // (0, 0) is 1: viridis' yellow (253, 231, 37) half over red (255, 0, 0).
        XCTAssertTrue(overlay.pixel(x: 0, y: 0) == (254, 116, 19), "\(overlay.pixel(x: 0, y: 0))")
        XCTAssertEqual(try map.overlay(on: image, opacity: 0), image)
        XCTAssertEqual(try map.overlay(on: image, opacity: 1), map.heatmap())
        XCTAssertThrowsError(try map.overlay(on: randomImage(side: 8, seed: 1)))
        let npy = map.npyData
        XCTAssertEqual(Array(npy.prefix(6)), [0x93] + Array("NUMPY".utf8))
        XCTAssertEqual((npy.count - 16 * 4) % 64, 0, "the values start at a multiple of 64 bytes")
        XCTAssertTrue(String(decoding: npy.prefix(128), as: UTF8.self).contains("'shape': (4, 4)"))
        let values = npy.suffix(16 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(values, map.values)
    }

    private func randomImage(side: Int, seed: UInt64) -> RGBImage {
        var generator = SeededGenerator(seed: seed)
        return try! RGBImage(width: side, height: side, pixels: (0..<(side * side * 3)).map { _ in UInt8(generator.next() % 256) })
    }

    private func assertWithin(_ actual: [Float], _ expected: [Float], tolerance: Float,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (index, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > tolerance {
            XCTFail("[\(index)]: \(a) is not within \(tolerance) of \(e)", file: file, line: line)
            return
        }
    }
}
