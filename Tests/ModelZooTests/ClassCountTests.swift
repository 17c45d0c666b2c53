import ModelZoo
import NetworkTestSupport
import Tensors
import XCTest

/// Every model of the registry scores exactly the dataset's k classes, for k = 2, 3 and 8.
final class ClassCountTests: XCTestCase {
    private let classCounts = [2, 3, 8]

    func testEveryRegisteredNetworkDescribesKOutputs() throws {
        for k in classCounts {
            for architecture in Architecture.backbones {
                XCTAssertEqual(try NetworkDescription(architecture, classCount: k).blueprint().classCount, k, architecture.rawValue)
                let hybrid = NetworkDescription(.hybrid, backbone: architecture, hybridVariant: .light, classCount: k)
                XCTAssertEqual(try hybrid.blueprint().classCount, k, hybrid.name)
            }
        }
    }

    /// Each family's head, built and run: the logits are `[batch, k]`.
    func testEachFamilysHeadHasKOutputs() throws {
        let images = Tensor(shape: [2, 32, 32, 3], repeating: 0.25)
        for k in classCounts {
            let networks: [(String, any ImageClassifierNetwork)] = [
                ("vgg", try VGG(configuration: VGG.Configuration.vgg16.reduced(widthDivisor: 32, hiddenWidth: 8, classCount: k), seed: 1)),
                ("densenet", try DenseNet(configuration: DenseNet.Configuration(growthRate: 4, blockLayerCounts: [1, 1],
                                                                                initialFeatures: 8, classCount: k), seed: 2)),
                ("convnext", try ConvNeXt(configuration: .custom(widths: [8, 16], blockCounts: [1, 1],
                                                                 stochasticDepthProbability: 0, classCount: k), seed: 3)),
                ("efficientnet-lite0", try NetworkDescription(.efficientnetLite0, classCount: k, inputSize: 32).makeNetwork(seed: 4)),
                ("hybrid", try HybridFixtures.smallHybrid(dropout: 0, classCount: k, seed: 5)),
            ]
            for (name, network) in networks {
                network.eval()
                let logits = Tensor.withoutGradients { network(images) }
                XCTAssertEqual(logits.shape, [2, k], "\(name), k = \(k)")
                XCTAssertEqual(network.classCount, k, "\(name), k = \(k)")
            }
        }
    }
}
