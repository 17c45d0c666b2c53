import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// Train/eval mode and freezing by key prefix.
final class LayerModeAndFreezingTests: XCTestCase {
    func testFreezingAPrefixStopsOnlyThoseGradients() throws {
        var generator = SeededGenerator(seed: 3)
        let features = Sequential(try Conv2d(inChannels: 2, outChannels: 3, kernelSize: 1, generator: &generator), ReLU())
        let features2 = Sequential(try Conv2d(inChannels: 3, outChannels: 3, kernelSize: 1, generator: &generator))
        let model = try Sequential(named: [("features", features), ("features2", features2), ("flatten", Flatten()),
                                           ("head", try Linear(inFeatures: 12, outFeatures: 2, generator: &generator))])
        try model.freeze(prefix: "features")
        let input = Tensor.randomNormal([2, 2, 2, 2], generator: &generator)
        softmaxCrossEntropy(logits: model(input), labels: [0, 1]).backward()
        for (name, parameter) in model.namedParameters() {
            let frozen = name.hasPrefix("features.")
            XCTAssertEqual(parameter.isFrozen, frozen, name)
            XCTAssertEqual(parameter.gradient == nil, frozen, name)
        }
        try model.unfreeze(prefix: "features.0.bias")
        XCTAssertEqual(model.namedParameters().filter(\.parameter.isFrozen).map(\.name), ["features.0.weight"])
        XCTAssertThrowsError(try model.freeze(prefix: "feature")) { error in
            XCTAssertEqual(error as? LayerError, .noParameterMatches(prefix: "feature"))
            XCTAssertTrue("\(error)".contains("'feature'"))
        }
    }

    func testBatchNormUpdatesRunningStatisticsInTrainingAndUsesThemInEvaluation() throws {
        let norm = try BatchNorm2d(1, momentum: 0.1)
        // One channel, values 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
        let input = try Tensor(shape: [1, 2, 2, 1], scalars: [1, 2, 3, 6])
        let trainingOutput = norm(input)
        let scale = 1 / (3.5 + 1e-5 as Float).squareRoot()
        for (actual, x) in zip(trainingOutput.scalars, [Float(1), 2, 3, 6]) {
            XCTAssertEqual(actual, (x - 3) * scale, accuracy: 1e-5)
        }
        XCTAssertEqual(norm.statistics.mean.scalars[0], 0.3, accuracy: 1e-6)            // 0.9 · 0 + 0.1 · 3
        XCTAssertEqual(norm.statistics.variance.scalars[0], 0.9 + 1.4 / 3, accuracy: 1e-6) // 0.9 · 1 + 0.1 · 14/3
        XCTAssertEqual(norm.numBatchesTracked.scalar, 1)

        let model = Sequential(norm)
        model.eval()
        XCTAssertFalse(norm.isTraining)
        let first = norm(input), second = norm(input)
        XCTAssertEqual(first.scalars, second.scalars)
        XCTAssertEqual(norm.numBatchesTracked.scalar, 1)
        let runningScale = 1 / (0.9 + 1.4 / 3 + 1e-5 as Float).squareRoot()
        for (actual, x) in zip(first.scalars, [Float(1), 2, 3, 6]) {
            XCTAssertEqual(actual, (x - 0.3) * runningScale, accuracy: 1e-5)
        }
        model.train()
        XCTAssertTrue(norm.isTraining)
    }

    func testDropoutZeroesAndScalesInTrainingOnlyAndIsSeeded() throws {
        let input = Tensor.ones([1000])
        let dropout = try Dropout(rate: 0.25, seed: 9)
        let output = dropout(input).scalars
        XCTAssertEqual(Set(output), [0, 1 / 0.75])
        let dropped = output.filter { $0 == 0 }.count
        XCTAssertGreaterThan(dropped, 200)
        XCTAssertLessThan(dropped, 300)
        XCTAssertEqual(try Dropout(rate: 0.25, seed: 9)(input).scalars, output)
        dropout.eval()
        XCTAssertEqual(dropout(input).scalars, input.scalars)
        XCTAssertThrowsError(try Dropout(rate: 1, seed: 0))
    }

    func testStochasticDepthDropsWholeSamples() throws {
        let layer = try StochasticDepth(probability: 0.5, mode: .row, seed: 4)
        let input = Tensor.ones([64, 2, 2, 3])
        let output = layer(input).scalars
        let perSample = (0..<64).map { Set(output[($0 * 12)..<($0 * 12 + 12)]) }
        XCTAssertTrue(perSample.allSatisfy { $0 == [0] || $0 == [2] }, "each sample is zeroed or doubled as a whole")
        let kept = perSample.filter { $0 == [2] }.count
        XCTAssertGreaterThan(kept, 16)
        XCTAssertLessThan(kept, 48)
        let batchMode = try StochasticDepth(probability: 0.5, mode: .batch, seed: 4)
        XCTAssertEqual(Set(batchMode(input).scalars).count, 1)
        layer.eval()
        XCTAssertEqual(layer(input).scalars, input.scalars)
    }
}
