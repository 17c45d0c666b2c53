import ClassicML
import XCTest

final class ClassWeightsTests: XCTestCase {
    func testBalancedWeightsAreNOverKTimesClassCount() throws {
        // n = 6, k = 3, counts 3, 1, 2 → 6/9, 6/3, 6/6.
        let weights = try balancedClassWeights(labels: [0, 2, 0, 1, 2, 0], classCount: 3)
        XCTAssertEqual(weights[0], 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(weights[1], 2, accuracy: 1e-12)
        XCTAssertEqual(weights[2], 1, accuracy: 1e-12)
    }

    func testAClassWithoutSamplesIsAnErrorNamingIt() {
        XCTAssertThrowsError(try balancedClassWeights(labels: [0, 0, 2, 3], classCount: 4)) { error in
            XCTAssertEqual(error as? ClassicMLError, .classWithoutSamples(classIndex: 1))
            XCTAssertTrue("\(error)".contains("class 1"))
        }
    }

    func testALabelOutOfRangeIsAnErrorNamingItsRow() {
        XCTAssertThrowsError(try balancedClassWeights(labels: [0, 1, 4], classCount: 2)) { error in
            XCTAssertEqual(error as? ClassicMLError, .labelOutOfRange(row: 2, label: 4, classCount: 2))
        }
    }
}
