import Foundation
import XCTest
@testable import Evaluation

final class ConformalPredictorTests: XCTestCase {
    /// Calibration and test images drawn from one calibrated generator are exchangeable, so 95 %
    /// sets cover 95 % of the test images (calibration noise sd ≈ 0.003, test noise ≈ 0.002).
    func testLeastAmbiguousSetsReachTheirCoverage() throws {
        let calibration = SyntheticScores(count: 5_000, classCount: 4, spread: 1.5, seed: 31)
        let test = SyntheticScores(count: 10_000, classCount: 4, spread: 1.5, seed: 32)
        let predictor = try ConformalPredictor(calibrationProbabilities: calibration.probabilities,
                                               labels: calibration.labels, alpha: 0.05)
        XCTAssertEqual(predictor.method, .leastAmbiguous, "LAC is the default")
        let sets = try predictor.predictionSets(probabilities: test.probabilities)
        let coverage = try SetCoverage(sets: sets, labels: test.labels, classCount: 4)
        XCTAssertEqual(coverage.coverage, 0.95, accuracy: 0.02)
        XCTAssertGreaterThan(coverage.meanSetSize, 1)
        XCTAssertLessThan(coverage.meanSetSize, 4, "informative probabilities give smaller sets than all classes")
        XCTAssertEqual(coverage.setSizeCounts[0], 0, "sets are never empty")
    }

    /// The Mondrian variant covers each class at 1 − α (2,500 calibration and 5,000 test images a
    /// class: noise sd ≈ 0.0055), and the adaptive score covers at least 1 − α marginally.
    func testClassConditionalSetsCoverEveryClass() throws {
        let calibration = SyntheticScores(count: 10_000, classCount: 4, spread: 1.5, seed: 41)
        let test = SyntheticScores(count: 20_000, classCount: 4, spread: 1.5, seed: 42)
        let predictor = try ConformalPredictor(calibrationProbabilities: calibration.probabilities,
                                               labels: calibration.labels, alpha: 0.05, method: .classConditional)
        XCTAssertEqual(predictor.thresholds.count, 4)
        XCTAssertEqual(predictor.classCalibrationSizes?.reduce(0, +), 10_000)
        let coverage = try SetCoverage(sets: predictor.predictionSets(probabilities: test.probabilities),
                                       labels: test.labels, classCount: 4)
        for (c, classCoverage) in coverage.classCoverage.enumerated() {
            XCTAssertEqual(try XCTUnwrap(classCoverage), 0.95, accuracy: 0.02, "class \(c)")
        }

        let adaptive = try ConformalPredictor(calibrationProbabilities: calibration.probabilities,
                                              labels: calibration.labels, alpha: 0.05, method: .adaptive)
        let adaptiveCoverage = try SetCoverage(sets: adaptive.predictionSets(probabilities: test.probabilities),
                                               labels: test.labels, classCount: 4)
        XCTAssertGreaterThanOrEqual(adaptiveCoverage.coverage, 0.93)
    }

    /// A certain (one-hot) classifier: every calibration score 1 − p_y is 0, so the threshold is 0
    /// and a test set holds exactly the certain class.
    func testCertainClassifierGivesSingleClassSets() throws {
        let labels = (0..<200).map { $0 % 3 }
        let oneHot = labels.map { label in (0..<3).map { $0 == label ? 1.0 : 0 } }
        for method in [ConformalMethod.leastAmbiguous, .classConditional] {
            let predictor = try ConformalPredictor(calibrationProbabilities: oneHot, labels: labels, alpha: 0.1, method: method)
            XCTAssertEqual(try predictor.predictionSets(probabilities: oneHot), labels.map { [$0] }, "\(method)")
        }
    }

    /// ⌈(n + 1)(1 − α)⌉-th smallest: n = 3, α = 0.5 → 2nd; n = 19, α = 0.05 → 19th (the largest);
    /// n = 10, α = 0.05 → rank 11 > 10, no threshold (+∞), and every class is in the set.
    func testFiniteSampleQuantile() throws {
        XCTAssertEqual(ConformalPredictor.quantile([0.4, 0.1, 0.3], alpha: 0.5), 0.3)
        let nineteen = (1...19).map { Double($0) / 20 }
        XCTAssertEqual(ConformalPredictor.quantile(nineteen.reversed(), alpha: 0.05), 0.95)
        XCTAssertEqual(ConformalPredictor.quantile(Array(nineteen.prefix(18)), alpha: 0.05), nil)
        XCTAssertNil(ConformalPredictor.quantile(Array(repeating: 0.2, count: 10), alpha: 0.05))

        let small = try ConformalPredictor(calibrationProbabilities: Array(repeating: [0.9, 0.1], count: 10),
                                           labels: Array(repeating: 0, count: 10), alpha: 0.05)
        XCTAssertEqual(small.thresholds, [nil])
        XCTAssertEqual(small.predictionSet(probabilities: [0.99, 0.01]), [0, 1])
    }

    /// Calibration scores 1 − 0.9 = 0.1 everywhere: q̂ = 0.1. A test image at (0.4, 0.35, 0.25)
    /// has every score above 0.1, and its set falls back to the arg-max.
    func testEmptySetFallsBackToTheArgMax() throws {
        let predictor = try ConformalPredictor(calibrationProbabilities: Array(repeating: [0.9, 0.05, 0.05], count: 50),
                                               labels: Array(repeating: 0, count: 50), alpha: 0.1)
        XCTAssertEqual(try XCTUnwrap(predictor.thresholds[0]), 0.1, accuracy: 1e-12)
        XCTAssertEqual(predictor.predictionSet(probabilities: [0.25, 0.4, 0.35]), [1])
        XCTAssertEqual(predictor.predictionSet(probabilities: [0.92, 0.04, 0.04]), [0])
    }

    /// Hand-counted: sets {0}, {0, 1}, {2}, {} for labels 0, 1, 1, 2 → covered 2 of 4; class 0
    /// 1/1, class 1 1/2, class 2 0/1; sizes 1, 2, 1, 0.
    func testCoverageAndSetSizes() throws {
        let coverage = try SetCoverage(sets: [[0], [0, 1], [2], []], labels: [0, 1, 1, 2], classCount: 3)
        XCTAssertEqual(coverage.coverage, 0.5)
        XCTAssertEqual(coverage.classCoverage, [1, 0.5, 0])
        XCTAssertEqual(coverage.meanSetSize, 1)
        XCTAssertEqual(coverage.setSizeCounts, [1, 2, 1, 0])
        XCTAssertThrowsError(try SetCoverage(sets: [[3]], labels: [0], classCount: 3))
    }

    func testStoredAsJSON() throws {
        let predictor = try ConformalPredictor(calibrationProbabilities: [[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]],
                                               labels: [0, 1, 1], alpha: 0.2, method: .classConditional)
        let data = try JSONEncoder().encode(predictor)
        let text = try XCTUnwrap(String(data: data, encoding: .utf8))
        for key in ["\"alpha\"", "\"class_conditional\"", "\"thresholds\"", "\"calibration_size\":3", "null"] {
            XCTAssertTrue(text.contains(key), "\(key) in \(text)")
        }
        XCTAssertEqual(try JSONDecoder().decode(ConformalPredictor.self, from: data), predictor)
        XCTAssertThrowsError(try ConformalPredictor(calibrationProbabilities: [[1, 0]], labels: [0], alpha: 1))
    }
}
