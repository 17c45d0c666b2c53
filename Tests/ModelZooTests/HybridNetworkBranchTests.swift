import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import XCTest

/// The branches of the hybrid: what the U-Net sees, where gradients go, dead stages, keys.
final class HybridNetworkBranchTests: XCTestCase {
    private let side = 32

    /// Uniform images of the given 0...255 colours.
    private func uniformImages(_ colors: [[Float]]) throws -> Tensor {
        try HybridFixtures.normalized(colors.flatMap { color in (0..<(side * side)).flatMap { _ in color } },
                                      images: colors.count, side: side)
    }

    func testEmptyMaskGivesTheUNetFeaturesOfAZeroImage() throws {
        let network = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 3)
        HybridFixtures.randomizeUNet(network, seed: 4)  // non-zero biases: the U-Net of a zero image is not 0
        network.eval()
        let nonPurple = try uniformImages([[255, 255, 255], [0, 200, 0], HybridFixtures.background])
        let (unetFeatures, backboneFeatures) = network.branchFeatures(nonPurple) { $1 }
        let zeroImageFeatures = network.unet(Tensor.zeros([1, side, side, 3])).scalars
        XCTAssertTrue(zeroImageFeatures.contains { $0 != 0 })
        // Bit for bit against zero images in a batch of the same size: oneDNN 3.2's transposed
        // convolution (brgconv_strided) splits a lone image over the threads and then rounds some
        // outputs differently than when each thread takes whole images.
        XCTAssertEqual(unetFeatures.scalars, network.unet(Tensor.zeros([3, side, side, 3])).scalars)
        assertClose(unetFeatures, Tensor(concatenating: Array(repeating: network.unet(Tensor.zeros([1, side, side, 3])), count: 3)),
                    "U-Net features of a lone zero image", tolerance: .relativeToLargest(1e-6))
        // ... and the logits are those of the head on [U-Net of zeros, backbone features].
        let zeroRows = Tensor(concatenating: Array(repeating: network.unet(Tensor.zeros([1, side, side, 3])), count: 3))
        let expected = network.denseHead(Tensor(concatenating: [zeroRows, backboneFeatures], alongAxis: 1))
        assertClose(network(nonPurple), expected, "logits of non-purple images", tolerance: .relativeToLargest(1e-6))

        let purple = try uniformImages([HybridFixtures.purple])
        XCTAssertNotEqual(network.branchFeatures(purple) { $1 }.unet.scalars, zeroImageFeatures)
    }

    func testGradientsReachBothBranchesButNotDeadStagesOrTheBackboneHead() throws {
        let network = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, computesStagesAfterFlattened: true, seed: 5)
        let images = try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: [1, 2, 3], side: side, radius: 3,
                                                                            seed: 6), images: 3, side: side)
        (softmaxCrossEntropy(logits: network(images), labels: [1, 2, 3]) + network.regularizationPenalty()!).backward()
        for (name, parameter) in network.namedParameters() {
            let norm = parameter.gradient.map { $0.squaredSum().scalar } ?? 0
            let isDead = ["unet.up5.", "unet.conv5."].contains { name.hasPrefix($0) }
            if isDead || name.hasPrefix("backbone.classifier.") {
                XCTAssertEqual(norm, 0, "\(name) feeds nothing but has a gradient")
            } else {
                XCTAssertGreaterThan(norm, 0, "\(name) has no gradient")
            }
        }
    }

    func testNoGradientFlowsThroughTheMaskThreshold() throws {
        let network = try HybridFixtures.smallHybrid(side: side, dropout: 0, seed: 7)
        network.eval()
        // Purple disk pixels on a background whose pixels sit just outside the thresholds.
        var pixels = HybridFixtures.diskImages(diskCounts: [2], side: side, radius: 4, seed: 8)
        let isDisk = (0..<(side * side)).map { pixels[3 * $0 + 1] < 100 }  // purple green ≈ 0, background 200
        for pixel in isDisk.indices where !isDisk[pixel] {
            pixels.replaceSubrange(3 * pixel..<3 * pixel + 3, with: pixel % 2 == 0 ? [50, 0, 255] : [150, 101, 200])
        }
        let x = try HybridFixtures.normalized(pixels, images: 1, side: side)
        let mask = network.configuration.purpleMask.mask(of: x).scalars
        XCTAssertEqual(mask, isDisk.map { $0 ? 1 : 0 })

        let leaf = x.requiringGradient()
        var generator = SeededGenerator(seed: 9)
        let projection = Tensor.randomUniform([1, network.unet.flattenedFeatureCount], lowerBound: 0.5, upperBound: 1.5,
                                              generator: &generator)
        (network.branchFeatures(leaf) { $1 }.unet * projection).sum().backward()
        let gradient = try XCTUnwrap(leaf.gradient).scalars
        for pixel in mask.indices where mask[pixel] == 0 {
            XCTAssertEqual(gradient[3 * pixel..<3 * pixel + 3], [0, 0, 0], "masked-out pixel \(pixel) has a gradient")
        }
        // Inside the mask the gradient is the U-Net's: a step of a fifth of a grey level keeps the mask.
        let inside = try XCTUnwrap(mask.indices.filter { mask[$0] == 1 }.max { abs(gradient[3 * $0]) < abs(gradient[3 * $1]) })
        let step = 0.2 * HybridFixtures.imageNet[0].scale
        func projected(_ delta: Float) throws -> Double {
            var shifted = x.scalars
            shifted[3 * inside] += delta
            let input = try Tensor(shape: x.shape, scalars: shifted)
            let features = Tensor.withoutGradients { network.branchFeatures(input) { $1 }.unet }
            return zip(features.scalars, projection.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let numeric = Float((try projected(step) - projected(-step)) / Double(2 * step))
        XCTAssertEqual(gradient[3 * inside], numeric, accuracy: 2e-2 * abs(numeric) + 1e-4)
        XCTAssertNotEqual(numeric, 0)

        // The threshold is a step, not a smoothed one: a background pixel (50, 0, 255) with gradient 0
        // enters the mask at red 52 (hue 0.70065) and changes the U-Net's features.
        let outside = try XCTUnwrap(isDisk.indices.first { !isDisk[$0] && $0 % 2 == 0 && $0 > side * side / 2 })
        var moved = pixels
        moved[3 * outside] = 52
        let movedImage = try HybridFixtures.normalized(moved, images: 1, side: side)
        let movedFeatures = Tensor.withoutGradients { network.branchFeatures(movedImage) { $1 }.unet }
        let features = Tensor.withoutGradients { network.branchFeatures(x) { $1 }.unet }
        XCTAssertNotEqual(movedFeatures.scalars, features.scalars)
    }

    func testDeadStagesChangeNothing() throws {
        let images = try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: [1, 3], side: side, radius: 3,
                                                                            seed: 10), images: 2, side: side)
        var outputs: [[Float]] = []
        for computesAll in [true, false] {
            let network = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, computesStagesAfterFlattened: computesAll,
                                                         seed: 11)
            network.eval()
            outputs.append(network(images).scalars)
            XCTAssertEqual(Array(network.featureMaps(images).keys).filter { $0.hasPrefix("unet.") }.sorted(),
                           ["unet.conv1", "unet.conv2", "unet.conv3", "unet.conv4"])
        }
        XCTAssertEqual(outputs[0], outputs[1])
    }

    func testFullUNetReturnsToTheInputResolution() throws {
        let network = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 16)
        let stages = network.unet.stageOutputs(Tensor.zeros([2, side, side, 3]), through: 5) { $1 }
        XCTAssertEqual(stages.map(\.shape), [[2, 32, 32, 4], [2, 16, 16, 8], [2, 8, 8, 16], [2, 16, 16, 8], [2, 32, 32, 4]])
    }

    func testUpConvolutionIsKerasSameAlignedAndDoublesTheSide() throws {
        // A 2-level U-Net of width 1: up3 maps 1 channel to 1. With weight w = 1 ... 9 (row-major 3x3) and
        // Keras "same" (full output cropped at the bottom/right), output[o] = Σ x[i] · w[o − 2i], o − 2i in 0...2.
        let configuration = HybridNetwork.Configuration(
            purpleMask: PurpleMask(normalization: HybridFixtures.imageNet), imageSize: 4,
            unet: .init(widths: [1, 1], flattenedStage: 3), denseHead: .init(widths: [2], dropout: 0, l2: 0, classCount: 2))
        let network = try HybridNetwork(configuration: configuration, backbone: HybridFixtures.tinyBackbone(seed: 1), seed: 2)
        let up = try XCTUnwrap(network.unet.upConvolutions.first)
        up.weight.value = try Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        up.bias.value = Tensor([0.5])
        let single = up(try Tensor(shape: [1, 1, 1, 1], scalars: [1]))
        XCTAssertEqual(single.shape, [1, 2, 2, 1])
        XCTAssertEqual(single.scalars, [1, 2, 4, 5].map { $0 + 0.5 })
        // 2x2 input [[1, 10], [100, 1000]] -> 4x4: rows 0, 1 from input row 0 (kernel rows 0, 1), row 2 adds
        // kernel row 2 of input row 0 and kernel row 0 of input row 1.
        let double = up(try Tensor(shape: [1, 2, 2, 1], scalars: [1, 10, 100, 1000]))
        XCTAssertEqual(double.shape, [1, 4, 4, 1])
        let w: [[Float]] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
        var expected = [Float](repeating: 0.5, count: 16)
        for (iy, ix, value) in [(0, 0, Float(1)), (0, 1, 10), (1, 0, 100), (1, 1, 1000)] {
            for ky in 0..<3 {
                for kx in 0..<3 where 2 * iy + ky < 4 && 2 * ix + kx < 4 {
                    expected[(2 * iy + ky) * 4 + 2 * ix + kx] += value * w[ky][kx]
                }
            }
        }
        XCTAssertEqual(double.scalars, expected)
    }

    func testKeysAndFeatureMapNames() throws {
        let network = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 12)
        let shapes = network.stateDictShapes()
        // Widths 4, 8, 16; conv4 (16 x 16 x 8) average-pooled by 4 is 4 · 4 · 8 = 128 features, + 10 of the backbone.
        let expected: [String: [Int]] = [
            "unet.conv1.0.weight": [4, 3, 3, 3], "unet.conv1.2.bias": [4], "unet.conv3.2.weight": [16, 16, 3, 3],
            "unet.up4.weight": [16, 8, 3, 3], "unet.conv4.0.weight": [8, 16, 3, 3], "unet.up5.weight": [8, 4, 3, 3],
            "unet.conv5.2.weight": [4, 4, 3, 3], "head.dense1.weight": [32, 138], "head.norm1.running_mean": [32],
            "head.norm2.num_batches_tracked": [], "head.output.weight": [4, 16], "backbone.features.conv0.weight": [8, 3, 7, 7],
            "backbone.classifier.weight": [4, 10],
        ]
        for (key, shape) in expected {
            XCTAssertEqual(shapes[key], shape, key)
        }
        XCTAssertEqual(network.featureMapNames, ["unet.conv1", "unet.conv2", "unet.conv3", "unet.conv4",
                                                 "backbone.features.denseblock1", "backbone.features.denseblock2",
                                                 "backbone.features.norm5"])
        XCTAssertEqual(network.headKey, "head.output")
        XCTAssertTrue(network.head === network.denseHead.output)
        XCTAssertTrue(network.backbone.head.weight.isFrozen)
    }

    func testGradCAMMapOfTheFlattenedStage() throws {
        let network = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 13)
        network.eval()
        let images = try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: [2], side: side, radius: 3, seed: 14),
                                                   images: 1, side: side)
        let (logits, map) = try network.logits(images, exposing: "unet.conv4")
        XCTAssertEqual(map.shape, [1, 16, 16, 8])
        logits.backward(seed: try Tensor(shape: [1, 4], scalars: [0, 0, 1, 0]))
        XCTAssertGreaterThan(try XCTUnwrap(map.gradient).squaredSum().scalar, 0)
        assertClose(logits, network(images), "logits with an exposed map", tolerance: .relativeToLargest(1e-6))
    }

    func testRegularizationPenaltyIsKerasL2() throws {
        let network = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 15)
        for parameter in network.regularizedParameters { parameter.value = Tensor.filled(parameter.value.shape, with: 0.5) }
        // 0.01 · 0.5² · (138 · 32 + 32 · 16) weights of dense1 and dense2 (not the output layer).
        XCTAssertEqual(network.regularizationPenalty()!.scalar, 0.01 * 0.25 * Float(138 * 32 + 32 * 16), accuracy: 1e-3)
        XCTAssertEqual(network.regularizedParameters.count, 2)
    }

    func testInvalidConfigurationsAreNamed() throws {
        let base = HybridNetwork.Configuration.study(normalization: HybridFixtures.imageNet)
        var cases: [(HybridNetwork.Configuration, String)] = []
        var configuration = base
        configuration.unet.flattenedStage = 8
        cases.append((configuration, "conv8"))
        configuration = base
        configuration.imageSize = 100
        cases.append((configuration, "image size 100"))
        configuration = base
        configuration.unet.flattenPooling = .average(window: 5)
        cases.append((configuration, "window 5"))
        configuration = base
        configuration.denseHead.widths = []
        cases.append((configuration, "widths []"))
        configuration = base
        configuration.purpleMask.normalization = []
        cases.append((configuration, "got 0"))
        for (configuration, fragment) in cases {
            XCTAssertThrowsError(try HybridNetwork(configuration: configuration, backbone: HybridFixtures.tinyBackbone(seed: 1),
                                                   seed: 1)) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error) should name \(fragment)")
            }
        }
    }
}

extension HybridNetworkBranchTests {
    func testConfigurationRoundTripsThroughSnakeCaseJSON() throws {
        let configuration = HybridNetwork.Configuration.light(normalization: HybridFixtures.symmetric)
        let data = try JSONEncoder().encode(configuration)
        let text = try XCTUnwrap(String(data: data, encoding: .utf8))
        for key in ["purple_mask", "minimum_saturation", "image_size", "flattened_stage", "flatten_pooling",
                    "computes_stages_after_flattened", "dense_head", "class_count"] {
            XCTAssertTrue(text.contains("\"\(key)\""), "\(key) missing in \(text)")
        }
        XCTAssertEqual(try JSONDecoder().decode(HybridNetwork.Configuration.self, from: data), configuration)
    }
}

extension HybridNetworkBranchTests {
    func testVGGBackboneContributesItsHiddenFeaturesButNotItsHead() throws {
        let vgg = try VGG(configuration: VGG.Configuration.vgg16.reduced(widthDivisor: 16, hiddenWidth: 8, classCount: 4), seed: 17)
        let small = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 18)
        let network = try HybridNetwork(configuration: small.configuration, backbone: vgg, seed: 18)
        // 128 U-Net features + VGG's hidden width 8.
        XCTAssertEqual(network.stateDictShapes()["head.dense1.weight"], [32, 136])
        let images = try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: [0, 3], side: side, radius: 3, seed: 19),
                                                   images: 2, side: side)
        softmaxCrossEntropy(logits: network(images), labels: [0, 3]).backward()
        let gradients = Dictionary(uniqueKeysWithValues: network.namedParameters().map { ($0.name, $0.parameter.gradient) })
        XCTAssertGreaterThan(try XCTUnwrap(gradients["backbone.classifier.0.weight"] ?? nil).squaredSum().scalar, 0)
        XCTAssertGreaterThan(try XCTUnwrap(gradients["backbone.features.0.weight"] ?? nil).squaredSum().scalar, 0)
        XCTAssertNil(gradients["backbone.classifier.6.weight"] ?? nil)
        XCTAssertTrue(network.featureMapNames.contains("backbone.features.29"))
    }
}

extension HybridNetworkBranchTests {
    func testStateDictCarriesTheWholeNetwork() throws {
        let images = try HybridFixtures.normalized(HybridFixtures.diskImages(diskCounts: [1, 2], side: side, radius: 3, seed: 20),
                                                   images: 2, side: side)
        let trained = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 21)
        _ = trained(images)  // moves the batch-norm running statistics away from their start
        let copy = try HybridFixtures.smallHybrid(side: side, dropout: 0.7, seed: 22)
        try copy.loadStateDict(trained.stateDict())
        trained.eval()
        copy.eval()
        XCTAssertEqual(copy(images).scalars, trained(images).scalars)
    }
}
