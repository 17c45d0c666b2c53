import ModelZoo
import NeuralNetworks
import Randomness
import Tensors
import XCTest
@testable import LeukemiaKit

final class NetworkTrainingStepTests: XCTestCase {
    private let labels = [0, 1, 2, 3, 3, 2]

    private func images() -> Tensor {
        var generator = SeededGenerator(seed: 9)
        return Tensor.randomNormal([labels.count, 32, 32, 3], generator: &generator)
    }

    /// A fully fine-tuned network with Adam, as the trainer sets it up.
    private func setUp(_ blueprint: NetworkBlueprint) throws -> (NetworkTrainingStep, Adam) {
        let network = try blueprint.makeNetwork(seed: 5)
        let optimizer = try Adam(parameters: TransferPolicy.full.apply(to: network), learningRate: 1e-3)
        let step = NetworkTrainingStep(network: network)
        step.enterTrainingMode()
        return (step, optimizer)
    }

    func testTheLossIsTheWeightedCrossEntropyOfTheReturnedLogitsAndStemBlockAndHeadMove() throws {
        let (step, optimizer) = try setUp(CNNTestFixture.tinyDenseNet)
        let before = step.network.stateDict()
        let classWeights = Tensor([0.5, 1, 2, 4])
        let (loss, logits) = step(images(), labels: labels, optimizer: optimizer, classWeights: classWeights)
        let expected = softmaxCrossEntropy(logits: logits, labels: labels, classWeights: classWeights).scalar
        XCTAssertEqual(loss, expected, accuracy: 1e-6 * abs(expected))
        let after = step.network.stateDict()
        for key in ["features.conv0.weight", "features.denseblock1.denselayer1.conv1.weight", "classifier.weight"] {
            XCTAssertNotNil(before[key], key)
            XCTAssertNotEqual(after[key], before[key], key)
        }
    }

    func testTheHybridLossAddsTheL2PenaltyOfTheWeightsBeforeTheUpdate() throws {
        let (step, optimizer) = try setUp(CNNTestFixture.tinyHybrid)
        let hybrid = try XCTUnwrap(step.network as? HybridNetwork)
        let penalty = Tensor.withoutGradients { hybrid.regularizationPenalty()!.scalar }
        let before = step.network.stateDict()
        let (loss, logits) = step(images(), labels: labels, optimizer: optimizer, classWeights: nil)
        let crossEntropy = softmaxCrossEntropy(logits: logits, labels: labels).scalar
        XCTAssertGreaterThan(penalty, 1e-3 * crossEntropy, "the penalty must be large enough for the check to see it")
        XCTAssertEqual(loss, crossEntropy + penalty, accuracy: 1e-5 * loss)
        let after = step.network.stateDict()
        XCTAssertNotEqual(after["unet.conv1.0.weight"], before["unet.conv1.0.weight"])
        // The backbone's own classifier is not in the hybrid's forward pass and stays frozen.
        XCTAssertNotNil(before["backbone.classifier.weight"])
        XCTAssertEqual(after["backbone.classifier.weight"], before["backbone.classifier.weight"])
    }
}
