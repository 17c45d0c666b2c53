import Foundation
@testable import ModelZoo
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import WeightFiles
import XCTest

/// Configuration arithmetic against values printed by the reference packages, and typed errors.
final class ConfigurationTests: XCTestCase {
    /// efficientnet-lite-pytorch's `round_filters` / `round_repeats` for width 1.1, depth 1.2 (Lite2).
    func testEfficientNetRoundingMatchesThePackage() {
        let lite2 = EfficientNetLite.Configuration(widthCoefficient: 1.1, depthCoefficient: 1.2, imageSize: 260, dropoutRate: 0.3)
        XCTAssertEqual([16, 24, 40, 80, 112, 192, 320].map(lite2.roundedFilters), [16, 24, 48, 88, 120, 208, 352])
        XCTAssertEqual([2, 2, 3, 3, 4].map(lite2.roundedRepeats), [3, 3, 4, 4, 5])
    }

    /// TensorFlow "SAME": total padding (out − 1)·s + k − in, the smaller half first.
    func testStaticSamePadding() {
        XCTAssertEqual(staticSamePadding(inputSize: 224, kernelSize: 3, stride: 2), Padding2D(top: 0, bottom: 1, left: 0, right: 1))
        XCTAssertEqual(staticSamePadding(inputSize: 28, kernelSize: 5, stride: 2), Padding2D(top: 1, bottom: 2, left: 1, right: 2))
        XCTAssertEqual(staticSamePadding(inputSize: 113, kernelSize: 3, stride: 2), Padding2D(1))
        XCTAssertEqual(staticSamePadding(inputSize: 7, kernelSize: 5, stride: 1), Padding2D(2))
        XCTAssertEqual(staticSamePadding(inputSize: 7, kernelSize: 1, stride: 1), Padding2D.zero)
        XCTAssertEqual(staticSameOutputSize(inputSize: 113, stride: 2), 57)
    }

    /// Lite0's residual blocks are exactly the repeated blocks of each group (printed from the
    /// package), and their drop-connect rate is 0.2 · index / 16.
    func testEfficientNetLite0ResidualsAndDropConnectRates() throws {
        let network = try EfficientNetLite(configuration: .lite0, seed: 1)
        let blocks = network.blocks.layers.compactMap { $0.layer as? EfficientNetLite.MBConvBlock }
        XCTAssertEqual(blocks.map(\.hasResidual), [false, false, true, false, true, false, true, true, false, true, true,
                                                   false, true, true, true, false])
        for (index, block) in blocks.enumerated() {
            XCTAssertEqual(block.dropConnect.probability, block.hasResidual ? 0.2 * Float(index) / 16 : 0, accuracy: 1e-7)
        }
    }

    /// torchvision: block i of n drops its branch with probability p · i / (n − 1); with p = 1 the
    /// last block is the identity in training mode and not in evaluation mode.
    func testConvNeXtStochasticDepthSchedule() throws {
        let configuration = ConvNeXt.Configuration.custom(widths: [8, 16], blockCounts: [1, 2], stochasticDepthProbability: 1,
                                                          classCount: 2)
        let network = try ConvNeXt(configuration: configuration, seed: 3)
        let blocks = network.namedLayers().compactMap { $0.layer as? ConvNeXt.Block }
        XCTAssertEqual(blocks.map(\.stochasticDepth.probability), [0, 0.5, 1])
        let last = try XCTUnwrap(blocks.last)
        var generator = SeededGenerator(seed: 11)
        let x = Tensor.randomNormal([2, 4, 4, 16], generator: &generator)
        last.layerScale.value = Tensor.ones([16, 1, 1])  // a branch large enough to show in eval mode
        Tensor.withoutGradients {
            network.train()
            XCTAssertEqual(last(x).scalars, x.scalars)
            network.eval()
            XCTAssertNotEqual(last(x).scalars, x.scalars)
        }
    }

    func testVGG16FeatureMapsAreTheReLUsBeforeEachPooling() throws {
        let reduced = VGG.Configuration.vgg16.reduced(widthDivisor: 64, hiddenWidth: 4, classCount: 2)
        XCTAssertEqual(try VGG(configuration: reduced, seed: 1).featureMapNames,
                       ["features.3", "features.8", "features.15", "features.22", "features.29"])
        var withNorm = reduced
        withNorm.batchNorm = true
        XCTAssertEqual(try VGG(configuration: withNorm, seed: 1).featureMapNames,
                       ["features.5", "features.12", "features.22", "features.32", "features.42"])
    }

    /// The reduced VGG of the tests is the one the fixture script built (its `cfg` in the metadata).
    func testVGGItemsCodeAsTorchvisionCfg() throws {
        let metadata = try SafeTensors.readContents(from: fixtures.url("vgg16_tiny.io.safetensors")).metadata
        struct ScriptConfig: Decodable { let cfg: [VGG.Configuration.Item] }
        let decoded = try JSONDecoder().decode(ScriptConfig.self, from: Data(XCTUnwrap(metadata["config"]).utf8))
        XCTAssertEqual(decoded.cfg, ParityTests.vggTiny.items)
        let encoded = try JSONEncoder().encode([VGG.Configuration.Item.convolution(64), .maxPool])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"[64,"M"]"#)
        XCTAssertThrowsError(try JSONDecoder().decode([VGG.Configuration.Item].self, from: Data(#"["N"]"#.utf8)))
    }

    func testImpossibleConfigurationsAreRejectedWithTypedErrors() {
        var denseNet = DenseNet.Configuration.densenet121
        denseNet.blockLayerCounts = []
        XCTAssertThrowsError(try DenseNet(configuration: denseNet, seed: 1)) { error in
            XCTAssertEqual(error as? ModelZooError, .invalidConfiguration(architecture: "DenseNet", message: "block_config must not be empty"))
        }
        var convNeXt = ConvNeXt.Configuration.convnextTiny
        convNeXt.stages[1].inputChannels = 100
        XCTAssertThrowsError(try ConvNeXt(configuration: convNeXt, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("192") && "\(error)".contains("100"), "\(error)")
        }
        let vgg = VGG.Configuration(items: [.maxPool], batchNorm: false)
        XCTAssertThrowsError(try VGG(configuration: vgg, seed: 1)) { error in
            XCTAssertNotNil(error as? ModelZooError)
        }
        var lite = EfficientNetLite.Configuration.lite0
        lite.widthCoefficient = 0
        XCTAssertThrowsError(try EfficientNetLite(configuration: lite, seed: 1)) { error in
            XCTAssertNotNil(error as? ModelZooError)
        }
    }

}
