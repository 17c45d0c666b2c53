import NeuralNetworks
import Tensors
import XCTest

/// Learning-rate schedules against PyTorch 2.x `torch.optim.lr_scheduler`, base rate 0.1.
final class LearningRateScheduleTests: XCTestCase {
    private func assertRates(_ actual: [Float], _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (epoch, (a, e)) in zip(actual, expected).enumerated() {
            XCTAssertEqual(a, e, accuracy: 1e-7, "epoch \(epoch)", file: file, line: line)
        }
    }

    func testStepScheduleHalvesEveryThreeEpochs() throws {
        let schedule = try StepSchedule(baseLearningRate: 0.1, stepSize: 3, decay: 0.5)
        assertRates((0..<8).map { schedule.learningRate(atEpoch: $0) }, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
    }

    func testCosineScheduleMatchesPyTorch() throws {
        let schedule = try CosineSchedule(baseLearningRate: 0.1, period: 10, minimumLearningRate: 0.001)
        assertRates((0...10).map { schedule.learningRate(atEpoch: $0) },
                    [0.1, 0.0975772976, 0.0905463412, 0.07959537, 0.0657963412, 0.0505, 0.0352036588,
                     0.02140463, 0.0104536588, 0.00342270244, 0.001])
    }

    func testScheduleIsAppliedToAnOptimizer() throws {
        let optimizer = try SGD(parameters: [], learningRate: 1)
        optimizer.apply(try StepSchedule(baseLearningRate: 0.1, stepSize: 3, decay: 0.5), epoch: 4)
        XCTAssertEqual(optimizer.learningRate, 0.05)
    }

    func testReduceOnPlateauMatchesPyTorch() throws {
        let optimizer = try SGD(parameters: [], learningRate: 0.1)
        let plateau = try ReduceOnPlateau(factor: 0.5, patience: 2, cooldown: 1)
        let metrics: [Float] = [1.0, 0.9, 0.95, 0.92, 0.91, 0.9, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89]
        var rates: [Float] = []
        for metric in metrics {
            rates.append(optimizer.learningRate)
            plateau.step(metric: metric, optimizer: optimizer)
        }
        assertRates(rates, [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025])
        XCTAssertEqual(plateau.best, 0.8)
    }

    func testReduceOnPlateauMaximizingWithAbsoluteThresholdAndFloor() throws {
        let optimizer = try SGD(parameters: [], learningRate: 0.1)
        let plateau = try ReduceOnPlateau(mode: .maximize, factor: 0.1, patience: 0, threshold: 0.05,
                                          thresholdMode: .absolute, minimumLearningRate: 0.005)
        XCTAssertFalse(plateau.step(metric: 0.5, optimizer: optimizer))    // first value improves on -inf
        XCTAssertTrue(plateau.step(metric: 0.54, optimizer: optimizer))    // not above 0.5 + 0.05
        XCTAssertEqual(optimizer.learningRate, 0.01, accuracy: 1e-9)
        XCTAssertFalse(plateau.step(metric: 0.56, optimizer: optimizer))   // improvement
        XCTAssertTrue(plateau.step(metric: 0.56, optimizer: optimizer))
        XCTAssertEqual(optimizer.learningRate, 0.005, accuracy: 1e-9)      // floored
        XCTAssertFalse(plateau.step(metric: 0.1, optimizer: optimizer))    // already at the floor
    }
}
