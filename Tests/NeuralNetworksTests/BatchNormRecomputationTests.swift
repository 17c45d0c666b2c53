import NeuralNetworks
import Randomness
import Tensors
import XCTest

/// `Layer.recomputeBatchNormStatistics`: the running statistics become the plain mean of the
/// passes' batch statistics, gathered with dropout off, and nothing else changes.
final class BatchNormRecomputationTests: XCTestCase {
    /// Three batches of one channel, 4 values each (as `[1, 2, 2, 1]` NHWC tensors).
    private let batches: [[Float]] = [[1, 2, 3, 6], [0, 0, 4, 4], [-2, 5, 1, 0]]

    func testStatisticsBecomeTheMeanOfTheBatchesAndMomentumComesBack() throws {
        let norm = try BatchNorm2d(1, momentum: 0.01)
        // Stale statistics from "training": they must not leak into the result.
        norm.statistics.mean = Tensor([40])
        norm.statistics.variance = Tensor([90])
        let model = Sequential(norm)
        model.train()
        try model.recomputeBatchNormStatistics([norm], batchCount: batches.count) { batch in
            _ = Tensor.withoutGradients { model(try! Tensor(shape: [1, 2, 2, 1], scalars: batches[batch])) }
        }
        // By hand: the means 3, 2, 1 average to 2; the unbiased variances 14/3, 16/3, 26/3 to 56/9.
        let means = batches.map { $0.reduce(0, +) / 4 }
        let variances = zip(batches, means).map { values, mean in values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3 }
        XCTAssertEqual(means.reduce(0, +) / 3, 2)
        XCTAssertEqual(norm.statistics.mean.scalars[0], 2, accuracy: 1e-6)
        XCTAssertEqual(norm.statistics.variance.scalars[0], variances.reduce(0, +) / 3, accuracy: 1e-5)
        XCTAssertEqual(norm.statistics.variance.scalars[0], 56 / 9, accuracy: 1e-5)
        XCTAssertEqual(norm.statistics.momentum, 0.01)
        XCTAssertFalse(norm.isTraining, "the tree is left in evaluation mode")
    }

    func testDropoutIsOffDuringThePasses() throws {
        // Dropout at 0.5 in front: in training mode it zeroes about half the values and doubles
        // the others, which would inflate the variance of 1.0s from 0 to about 1.
        let dropout = try Dropout(rate: 0.5, seed: 4)
        let norm = try BatchNorm2d(1, momentum: 0.1)
        let model = Sequential(dropout, norm)
        try model.recomputeBatchNormStatistics([norm], batchCount: 2) { _ in
            _ = Tensor.withoutGradients { model(Tensor(shape: [8, 4, 4, 1], repeating: 1)) }
        }
        XCTAssertEqual(norm.statistics.mean.scalars[0], 1, accuracy: 1e-6)
        XCTAssertEqual(norm.statistics.variance.scalars[0], 0, accuracy: 1e-6)
        XCTAssertFalse(dropout.isTraining)
    }

    func testOnlyTheGivenNormsChangeAndTrainingNormsAreFound() throws {
        let trained = try BatchNorm2d(1, momentum: 0.1), kept = try BatchNorm2d(1, momentum: 0.1)
        let model = try Sequential(named: [("kept", kept), ("trained", trained)])
        // A policy that keeps the first normalization in evaluation mode, as a frozen backbone's.
        let norms = model.trainingBatchNorms { model.train(); kept.isTraining = false }
        XCTAssertTrue(norms.count == 1 && norms[0] === trained)
        try model.recomputeBatchNormStatistics(norms, batchCount: 1) { _ in
            _ = Tensor.withoutGradients { model(try! Tensor(shape: [1, 2, 2, 1], scalars: batches[0])) }
        }
        XCTAssertEqual(kept.statistics.mean.scalars, [0])
        XCTAssertEqual(kept.statistics.variance.scalars, [1])
        // `trained` sees `kept`'s evaluation-mode output: (x - 0) / sqrt(1 + 1e-5), mean 3 / sqrt(1 + 1e-5).
        XCTAssertEqual(trained.statistics.mean.scalars[0], 3 / (1 + 1e-5 as Float).squareRoot(), accuracy: 1e-5)
    }
}
