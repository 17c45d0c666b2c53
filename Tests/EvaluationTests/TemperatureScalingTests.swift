import Foundation
import TestSupport
import XCTest
@testable import Evaluation

final class TemperatureScalingTests: XCTestCase {
    /// Logits of a calibrated generator multiplied by 4 are over-confident; the fitted temperature
    /// should undo the factor (T ≈ 4), lower the ECE a lot, and keep every decision.
    func testUndoesAPlantedOverConfidence() throws {
        let calibrated = SyntheticScores(count: 6_000, classCount: 4, spread: 1.5, seed: 11)
        let overConfident = calibrated.sharpened(by: 4)
        let temperature = try TemperatureScaling.fit(logits: overConfident.logits, labels: overConfident.labels)
        XCTAssertEqual(temperature, 4, accuracy: 0.3)

        let scaled = TemperatureScaling.apply(temperature, toLogits: overConfident.logits)
        let before = try Calibration(probabilities: overConfident.probabilities, labels: overConfident.labels)
        let after = try Calibration(probabilities: scaled, labels: overConfident.labels)
        XCTAssertGreaterThan(before.expectedCalibrationError, 0.1)
        XCTAssertLessThan(after.expectedCalibrationError, 0.03)
        XCTAssertLessThan(after.expectedCalibrationError, before.expectedCalibrationError / 4)
        XCTAssertEqual(scaled.map(SyntheticScores.argMax), overConfident.probabilities.map(SyntheticScores.argMax))
        for row in scaled { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12) }
    }

    /// A classical model's probabilities go through their logarithms: the same temperature as the
    /// logits (softmax ignores the shift log Σ e^z), and the calibrated probabilities match.
    func testProbabilitiesGiveTheTemperatureOfTheirLogits() throws {
        let scores = SyntheticScores(count: 2_000, classCount: 3, spread: 1, seed: 5).sharpened(by: 2.5)
        let fromLogits = try TemperatureScaling.fit(logits: scores.logits, labels: scores.labels)
        let fromProbabilities = try TemperatureScaling.fit(probabilities: scores.probabilities, labels: scores.labels)
        XCTAssertEqual(fromProbabilities, fromLogits, accuracy: 1e-6)
        let expected = TemperatureScaling.apply(fromLogits, toLogits: scores.logits)
        let actual = TemperatureScaling.apply(fromProbabilities, toProbabilities: scores.probabilities)
        assertClose(actual.flatMap { $0 }, expected.flatMap { $0 }, "calibrated probabilities", tolerance: .elementwise(1e-6))
    }

    /// The fit reaches the minimum: the NLL's derivative in 1/T, the mean over images of
    /// E_p[z] − z_y (a hand-derived formula, computed here by finite differences of the NLL),
    /// vanishes at the fitted T, and nearby temperatures have a higher NLL.
    func testFitIsAStationaryMinimum() throws {
        let scores = SyntheticScores(count: 1_500, classCount: 4, spread: 1.2, seed: 3).sharpened(by: 0.5)
        let temperature = try TemperatureScaling.fit(logits: scores.logits, labels: scores.labels)
        XCTAssertLessThan(temperature, 1, "under-confident logits need T < 1")
        func nll(_ t: Double) -> Double {
            zip(TemperatureScaling.apply(t, toLogits: scores.logits), scores.labels)
                .reduce(0) { $0 - log($1.0[$1.1]) } / Double(scores.labels.count)
        }
        for factor in [0.98, 1.02] { XCTAssertGreaterThan(nll(temperature * factor), nll(temperature)) }
        let step = 1e-4
        let slope = (nll(temperature * (1 + step)) - nll(temperature * (1 - step))) / (2 * step)
        XCTAssertEqual(slope, 0, accuracy: 1e-6)
    }

    /// Every image right: the NLL falls all the way to T -> 0, so no temperature is fitted (T = 1);
    /// one image wrong makes the minimum finite again.
    func testSeparableImagesKeepTheModelsOwnProbabilities() throws {
        let separable: [[Double]] = [[4, 1, 0], [0, 3, 1], [1, 0, 2], [2.5, 2, 0]]
        let labels = [0, 1, 2, 0]
        XCTAssertTrue(TemperatureScaling.isSeparable(logits: separable, labels: labels))
        XCTAssertEqual(try TemperatureScaling.fit(logits: separable, labels: labels), 1)
        func nll(_ t: Double) -> Double {
            zip(TemperatureScaling.apply(t, toLogits: separable), labels).reduce(0) { $0 - log($1.0[$1.1]) }
        }
        XCTAssertLessThan(nll(0.01), nll(1), "the likelihood alone would have chosen T -> 0")
        XCTAssertFalse(TemperatureScaling.isSeparable(logits: separable, labels: [0, 1, 2, 1]))
        XCTAssertFalse(TemperatureScaling.isSeparable(logits: [[1, 1]], labels: [0]), "a tie is not separable")
        let oneWrong = try TemperatureScaling.fit(logits: separable, labels: [0, 1, 2, 1])
        XCTAssertGreaterThan(oneWrong, 0.05)
        XCTAssertLessThan(oneWrong, 100)
        XCTAssertNotEqual(oneWrong, 1)
    }

    func testRejectsBadInput() {
        XCTAssertThrowsError(try TemperatureScaling.fit(logits: [], labels: []))
        XCTAssertThrowsError(try TemperatureScaling.fit(logits: [[1, 2]], labels: [2]))
        XCTAssertThrowsError(try TemperatureScaling.fit(logits: [[1, .nan]], labels: [0]))
        XCTAssertThrowsError(try TemperatureScaling.fit(logits: [[1, 2], [1, 2]], labels: [0]))
    }
}
