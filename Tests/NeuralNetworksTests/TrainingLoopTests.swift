import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// The engine end to end: a linear softmax classifier trained on separable synthetic blobs.
final class TrainingLoopTests: XCTestCase {
    func testLinearClassifierLearnsSeparableBlobs() throws {
        var generator = SeededGenerator(seed: 11)
        let centers: [[Float]] = [[3, 0], [-3, 0], [0, 3]]
        let perClass = 40
        var features: [Float] = [], labels: [Int] = []
        for (label, center) in centers.enumerated() {
            for _ in 0..<perClass {
                features += center.map { $0 + Float(generator.nextNormal()) * 0.5 }
                labels.append(label)
            }
        }
        let inputs = try Tensor(shape: [labels.count, 2], scalars: features)
        let weight = Parameter(Tensor.randomNormal([2, 3], standardDeviation: 0.1, generator: &generator), name: "weight")
        let bias = Parameter(Tensor.zeros([3]), name: "bias")
        let optimizer = try SGD(parameters: [weight, bias], learningRate: 0.1, momentum: 0.9)

        func loss() -> Tensor {
            softmaxCrossEntropy(logits: linear(inputs, weight: weight.value, bias: bias.value), labels: labels, labelSmoothing: 0.05)
                + l2Penalty([weight], coefficient: 1e-4)
        }
        let initialLoss = Tensor.withoutGradients { loss().scalar }
        for _ in 0..<100 {
            optimizer.zeroGradients()
            loss().backward()
            clipGradientNorm([weight, bias], maximumNorm: 5)
            optimizer.step()
        }
        let finalLoss = Tensor.withoutGradients { loss().scalar }
        XCTAssertGreaterThan(initialLoss, 1)
        XCTAssertLessThan(finalLoss, 0.3)
        let predictions = Tensor.withoutGradients { linear(inputs, weight: weight.value, bias: bias.value).argmax(alongAxis: 1) }
        XCTAssertEqual(predictions, labels)
    }
}
