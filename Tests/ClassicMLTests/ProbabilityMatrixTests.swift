@testable import ClassicML
import Foundation
import XCTest

final class ProbabilityMatrixTests: XCTestCase {
    private let probabilities = ProbabilityMatrix(rowCount: 3, classCount: 3, values: [
        0.7, 0.2, 0.1,
        0.2, 0.3, 0.5,
        0.4, 0.4, 0.2,
    ])

    func testPredictedClassesTakeTheFirstMaximum() {
        XCTAssertEqual(probabilities.predictedClasses, [0, 2, 0])
    }

    func testAccuracyAndLogLossMatchHandComputedValues() throws {
        let labels = [0, 1, 0]
        XCTAssertEqual(try probabilities.accuracy(labels: labels), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try probabilities.logLoss(labels: labels), -(log(0.7) + log(0.3) + log(0.4)) / 3, accuracy: 1e-12)
    }

    func testAZeroProbabilityCostsTheClippedLoss() throws {
        let certain = ProbabilityMatrix(rowCount: 1, classCount: 2, values: [1, 0])
        XCTAssertEqual(try certain.logLoss(labels: [1]), -log(1e-15), accuracy: 1e-9)
    }

    func testMismatchedLabelsAreTypedErrors() {
        XCTAssertThrowsError(try probabilities.accuracy(labels: [0, 1])) { error in
            XCTAssertEqual(error as? ClassicMLError, .labelCountMismatch(rows: 3, labels: 2))
        }
        XCTAssertThrowsError(try probabilities.logLoss(labels: [0, 1, 3])) { error in
            XCTAssertEqual(error as? ClassicMLError, .labelOutOfRange(row: 2, label: 3, classCount: 3))
        }
    }
}
