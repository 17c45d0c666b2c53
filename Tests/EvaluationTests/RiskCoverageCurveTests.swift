import XCTest
@testable import Evaluation

final class RiskCoverageCurveTests: XCTestCase {
    /// Confidences 0.9 (right), 0.8 (wrong, cost 1 with stage distance), 0.6 (right), 0.6 (right):
    /// threshold 0.9 decides 1 image (accuracy 1, cost 0); 0.8 decides 2 (1/2, 1/2); 0.6 decides
    /// the tied pair together, all 4 (3/4, 1/4).
    func testHandComputedCurveAndReferral() throws {
        let probabilities: [[Double]] = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]]
        let labels = [0, 0, 0, 1]
        let curve = try RiskCoverageCurve(probabilities: probabilities, labels: labels, cost: .stageDistance(classCount: 2))
        XCTAssertEqual(curve.points.map(\.threshold), [0.6, 0.8, 0.9])
        XCTAssertEqual(curve.points.map(\.decidedCount), [4, 2, 1])
        XCTAssertEqual(curve.points.map(\.coverage), [1, 0.5, 0.25])
        XCTAssertEqual(curve.points.map(\.accuracy), [0.75, 0.5, 1])
        XCTAssertEqual(curve.points.map(\.meanCost), [0.25, 0.5, 0])
        XCTAssertEqual(curve.operatingPoint(referringBelow: 0.7)?.decidedCount, 2)
        XCTAssertEqual(curve.operatingPoint(referringBelow: 0.6)?.decidedCount, 4)
        XCTAssertNil(curve.operatingPoint(referringBelow: 0.95))
        XCTAssertEqual(RiskCoverageCurve.decisions(probabilities: probabilities, referringBelow: 0.7), [0, 1, nil, nil])
    }

    /// Deciding every image gives the plain arg-max scores; with calibrated (informative)
    /// confidences, the accuracy of the decided images does not fall as the least confident
    /// tenths are referred (20,000 images: a tenth's accuracy noise is below 0.01).
    func testFullCoverageIsPlainAccuracyAndReferralHelps() throws {
        let scores = SyntheticScores(count: 20_000, classCount: 4, spread: 1.5, seed: 51)
        let cost = CostMatrix.study
        let curve = try RiskCoverageCurve(probabilities: scores.probabilities, labels: scores.labels, cost: cost)
        let metrics = try ClassificationMetrics(trueLabels: scores.labels, probabilities: scores.probabilities,
                                                classNames: studyClassNames, cost: cost)
        let full = try XCTUnwrap(curve.points.first)
        XCTAssertEqual(full.coverage, 1)
        XCTAssertEqual(full.accuracy, metrics.accuracy, accuracy: 1e-12)
        XCTAssertEqual(full.meanCost, metrics.averageCost, accuracy: 1e-9)

        var previous = 0.0
        for tenth in stride(from: 10, through: 1, by: -1) {
            let target = Double(tenth) / 10
            let point = try XCTUnwrap(curve.points.first { $0.coverage <= target })
            XCTAssertGreaterThanOrEqual(point.accuracy, previous, "coverage \(point.coverage)")
            previous = point.accuracy
        }
        XCTAssertGreaterThan(previous, metrics.accuracy + 0.2, "the most confident tenth is far more accurate")
    }
}
