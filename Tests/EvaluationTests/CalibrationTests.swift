import Foundation
import XCTest
@testable import Evaluation

final class CalibrationTests: XCTestCase {
    /// Labels drawn from the stated probabilities: the ECE is only sampling noise.
    func testCalibratedDrawsHaveNearZeroECE() throws {
        let scores = SyntheticScores(count: 40_000, classCount: 4, spread: 1.5, seed: 21)
        let calibration = try Calibration(probabilities: scores.probabilities, labels: scores.labels)
        XCTAssertLessThan(calibration.expectedCalibrationError, 0.02)
        XCTAssertEqual(calibration.bins.count, 15)
        XCTAssertEqual(calibration.bins.reduce(0) { $0 + $1.count }, 40_000)
    }

    /// Four images, 15 bins. Confidences 0.95 (right), 0.95 (wrong): bin (14/15, 1], acc 0.5, conf
    /// 0.95; 0.5 (right) → bin (7/15, 8/15], acc 1, conf 0.5; 0.3 of 4 classes (wrong) → bin
    /// (4/15, 5/15], acc 0, conf 0.3. ECE = (2·0.45 + 1·0.5 + 1·0.3)/4 = 0.425.
    func testHandComputedBinsECEAndBrier() throws {
        let probabilities: [[Double]] = [[0.95, 0.05, 0, 0], [0.95, 0.05, 0, 0], [0.2, 0.5, 0.2, 0.1], [0.3, 0.25, 0.25, 0.2]]
        let labels = [0, 1, 1, 3]
        let calibration = try Calibration(probabilities: probabilities, labels: labels)
        XCTAssertEqual(calibration.expectedCalibrationError, 0.425, accuracy: 1e-12)
        let occupied = calibration.bins.enumerated().filter { $0.element.count > 0 }
        XCTAssertEqual(occupied.map(\.offset), [4, 7, 14])
        XCTAssertEqual(occupied.map(\.element.count), [1, 1, 2])
        XCTAssertEqual(occupied[2].element.accuracy, 0.5)
        XCTAssertEqual(try XCTUnwrap(occupied[2].element.meanConfidence), 0.95, accuracy: 1e-12)
        XCTAssertEqual(occupied[2].element.lowerEdge, 14.0 / 15, accuracy: 1e-12)
        XCTAssertEqual(occupied[2].element.upperEdge, 1)
        XCTAssertNil(calibration.bins[0].accuracy)
        // Row Brier terms: 0.05² + 0.05² = 0.005; 0.95² + 0.95² = 1.805;
        // 0.04 + 0.25 + 0.04 + 0.01 = 0.34; 0.09 + 0.0625 + 0.0625 + 0.64 = 0.855.
        XCTAssertEqual(calibration.brierScore, (0.005 + 1.805 + 0.34 + 0.855) / 4, accuracy: 1e-12)
    }

    func testBrierOfCertainClassifiers() throws {
        let labels = [0, 1, 2, 2, 1]
        let right = labels.map { label in (0..<3).map { $0 == label ? 1.0 : 0 } }
        let wrong = labels.map { label in (0..<3).map { $0 == (label + 1) % 3 ? 1.0 : 0 } }
        XCTAssertEqual(try Calibration(probabilities: right, labels: labels).brierScore, 0)
        XCTAssertEqual(try Calibration(probabilities: wrong, labels: labels).brierScore, 2)
        XCTAssertEqual(try Calibration(probabilities: right, labels: labels).expectedCalibrationError, 0)
        XCTAssertEqual(try Calibration(probabilities: wrong, labels: labels).expectedCalibrationError, 1)
    }

    func testBinEdges() {
        XCTAssertEqual(Calibration.binIndex(confidence: 1, binCount: 15), 14)
        XCTAssertEqual(Calibration.binIndex(confidence: 0, binCount: 15), 0)
        XCTAssertEqual(Calibration.binIndex(confidence: 0.5, binCount: 10), 4, "upper edge belongs to the bin")
        XCTAssertEqual(Calibration.binIndex(confidence: 0.5000001, binCount: 10), 5)
    }
}
