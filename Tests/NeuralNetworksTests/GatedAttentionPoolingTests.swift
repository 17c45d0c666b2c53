import Foundation
import NetworkTestSupport
import NeuralNetworks
import Randomness
import Tensors
import TestSupport
import XCTest

/// Gated attention pooling (Ilse et al. 2018) on hand-checkable bags: equal scores give the mean,
/// a bag of one gives the instance, an empty bag throws; keys follow the reference implementation.
/// Its numbers against PyTorch are checked in ModelZooTests' CellAttentionTests.
final class GatedAttentionPoolingTests: XCTestCase {
    private let featureCount = 6, attentionSize = 4

    private func makePooling(seed: UInt64 = 3) throws -> GatedAttentionPooling {
        var generator = SeededGenerator(seed: seed)
        return try GatedAttentionPooling(featureCount: featureCount, attentionSize: attentionSize, generator: &generator)
    }

    private func randomBag(_ count: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.randomNormal([count, featureCount], generator: &generator)
    }

    func testKeysAndShapesFollowTheReferenceImplementation() throws {
        XCTAssertEqual(try makePooling().stateDictShapes(), [
            "attention_V.0.weight": [attentionSize, featureCount], "attention_V.0.bias": [attentionSize],
            "attention_U.0.weight": [attentionSize, featureCount], "attention_U.0.bias": [attentionSize],
            "attention_w.weight": [1, attentionSize], "attention_w.bias": [1],
        ])
    }

    func testEqualScoresPoolToTheMeanOfTheInstances() throws {
        let pooling = try makePooling()
        pooling.attentionW.weight.value = Tensor.zeros([1, attentionSize])   // every score is the bias
        let bag = randomBag(5, seed: 10).requiringGradient()
        let (pooled, weights) = try pooling.pool(bag)
        XCTAssertEqual(weights.shape, [5])
        for weight in weights.scalars { XCTAssertEqual(weight, 0.2, accuracy: 1e-6) }
        XCTAssertEqual(pooled.shape, [1, featureCount])
        assertClose(pooled, bag.detached().mean(alongAxes: [0], keepingDimensions: true), "pooled vector",
                    tolerance: .elementwise(1e-6))
        // With constant scores the mean's gradient reaches every instance element as 1/n.
        pooled.sum().backward()
        assertClose(bag.gradient, Tensor(shape: [5, featureCount], repeating: 0.2), "bag gradient",
                    tolerance: .elementwise(1e-6))
    }

    func testBagOfOneGivesWeightOneAndTheInstanceItself() throws {
        let pooling = try makePooling()
        let instance = randomBag(1, seed: 11)
        let (pooled, weights) = try pooling.pool(instance)
        XCTAssertEqual(weights.scalars, [1.0])
        XCTAssertEqual(pooled.shape, [1, featureCount])
        XCTAssertEqual(pooled.scalars, instance.scalars)
    }

    func testEmptyBagThrowsANamedError() throws {
        let pooling = try makePooling()
        assertThrows(LayerError.emptyBag(layer: "GatedAttentionPooling"), mentioning: ["empty", "at least one instance"]) {
            _ = try pooling.pool(Tensor.zeros([0, featureCount]))
        }
    }

    func testWeightsFollowTheScoresAndGradientsReachEverything() throws {
        let pooling = try makePooling()
        let bag = randomBag(4, seed: 12).requiringGradient()
        let (pooled, weights) = try pooling.pool(bag)
        let scores = Tensor.withoutGradients { pooling.attentionScores(bag) }.scalars
        let exponentials = scores.map { Foundation.exp(Double($0)) }
        let total = exponentials.reduce(0, +)
        assertClose(weights.scalars, exponentials.map { $0 / total }, "softmax of the scores", tolerance: .elementwise(1e-6))
        var expected = [Float](repeating: 0, count: featureCount)
        for (index, weight) in weights.scalars.enumerated() {
            for column in 0..<featureCount { expected[column] += weight * bag.scalars[index * featureCount + column] }
        }
        assertClose(pooled.scalars, expected.doubles, "Σ a_i h_i", tolerance: .elementwise(1e-6))

        // A loss reading both outputs: every parameter and the bag receive a non-zero gradient.
        let loss = (pooled * Tensor([1, -1, 2, 0.5, -0.5, 1])).sum() + (weights * Tensor([3, -1, 0, 2])).sum()
        loss.backward()
        for (name, parameter) in pooling.namedParameters() {
            let gradient = try XCTUnwrap(parameter.gradient, "\(name) has no gradient")
            XCTAssertTrue(gradient.scalars.contains { $0 != 0 }, "\(name) has an all-zero gradient")
        }
        XCTAssertTrue(try XCTUnwrap(bag.gradient).scalars.contains { $0 != 0 })
    }
}
