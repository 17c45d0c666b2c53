import ModelZoo
import NeuralNetworks
import Tensors
import XCTest

/// The full-size presets have exactly the reference state-dict keys, shapes and order (torchvision's
/// for VGG, DenseNet and ConvNeXt; the published efficientnet-lite0 checkpoint's for Lite0), so the
/// published ImageNet checkpoints load unchanged.
final class FullSizeKeyTests: XCTestCase {
    func testVGG() throws {
        try checkKeys(VGG(configuration: .vgg16, seed: 1), reference: "vgg16")
        try checkKeys(VGG(configuration: .vgg16BN, seed: 1), reference: "vgg16_bn")
    }

    func testDenseNet() throws {
        try checkKeys(DenseNet(configuration: .densenet121, seed: 1), reference: "densenet121")
        try checkKeys(DenseNet(configuration: .densenet169, seed: 1), reference: "densenet169")
        try checkKeys(DenseNet(configuration: .densenet201, seed: 1), reference: "densenet201")
    }

    func testConvNeXt() throws {
        try checkKeys(ConvNeXt(configuration: .convnextTiny, seed: 1), reference: "convnext_tiny")
        try checkKeys(ConvNeXt(configuration: .convnextSmall, seed: 1), reference: "convnext_small")
        try checkKeys(ConvNeXt(configuration: .convnextBase, seed: 1), reference: "convnext_base")
    }

    func testEfficientNetLite0() throws {
        try checkKeys(EfficientNetLite(configuration: .lite0, seed: 1), reference: "efficientnet_lite0")
    }

    private func checkKeys(_ network: some Layer, reference: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try XCTUnwrap(Fixture.fullSizeKeys()[reference], file: file, line: line)
        let actual = network.orderedStateDictShapes()
        XCTAssertEqual(actual.map(\.key), expected.map(\.key), reference, file: file, line: line)
        XCTAssertEqual(actual.map(\.shape), expected.map(\.shape), reference, file: file, line: line)
    }
}
