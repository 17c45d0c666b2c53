import ModelZoo
import NeuralNetworks
import Tensors
import XCTest

/// The full-size networks have exactly the reference state-dict keys, shapes and order
/// (torchvision's for VGG, DenseNet and ConvNeXt; the published efficientnet-lite0 checkpoint's for
/// Lite0), so the published ImageNet checkpoints load unchanged. Slow in debug builds (about
/// 100 s in all: filling ~0.5 billion initial weights), hence one test per family.
final class FullSizeKeyTests: XCTestCase {
    func testEveryArchitectureHasAReferenceKeyList() throws {
        XCTAssertEqual(Set(try fixtures.fullSizeKeys().keys), Set(Architecture.backbones.map(\.referenceName)))
    }

    func testVGG() throws {
        try checkKeys([.vgg16, .vgg16BN])
    }

    func testDenseNet() throws {
        try checkKeys([.densenet121, .densenet169, .densenet201])
    }

    func testConvNeXt() throws {
        try checkKeys([.convnextTiny, .convnextSmall, .convnextBase])
    }

    func testEfficientNetLite0() throws {
        try checkKeys([.efficientnetLite0])
    }

    private func checkKeys(_ architectures: [Architecture], file: StaticString = #filePath, line: UInt = #line) throws {
        let references = try fixtures.fullSizeKeys()
        for architecture in architectures {
            let expected = try XCTUnwrap(references[architecture.referenceName], file: file, line: line)
            let actual = try architecture.makeNetwork(seed: 1).orderedStateDictShapes()
            XCTAssertEqual(actual.map(\.key), expected.map(\.key), architecture.rawValue, file: file, line: line)
            XCTAssertEqual(actual.map(\.shape), expected.map(\.shape), architecture.rawValue, file: file, line: line)
        }
    }
}
