import ClassicML
import Foundation
import XCTest

final class FeatureStandardizerTests: XCTestCase {
    // Columns: 1,3,5 (mean 3, population std √(8/3)); constant 2; 5,7,9 (mean 7, std √(8/3)).
    private let training: [[Float]] = [[1, 2, 5], [3, 2, 7], [5, 2, 9]]
    private let spread = Float((8.0 / 3.0).squareRoot())

    func testMeansAndStandardDeviationsAreThoseComputedByHand() throws {
        let standardizer = try FeatureStandardizer(fitting: FeatureMatrix(rows: training))
        XCTAssertEqual(standardizer.means, [3, 2, 7])
        XCTAssertEqual(standardizer.standardDeviations[0], spread, accuracy: 1e-6)
        XCTAssertEqual(standardizer.standardDeviations[1], 1, "a constant column is divided by 1")
        XCTAssertEqual(standardizer.standardDeviations[2], spread, accuracy: 1e-6)
    }

    func testTransformCentresAndScalesAndMapsAConstantColumnToZero() throws {
        let matrix = try FeatureMatrix(rows: training)
        let transformed = try FeatureStandardizer(fitting: matrix).transform(matrix)
        let expected: [Float] = [-2 / spread, 0, -2 / spread, 0, 0, 0, 2 / spread, 0, 2 / spread]
        for (value, wanted) in zip(transformed.values, expected) { XCTAssertEqual(value, wanted, accuracy: 1e-6) }
        XCTAssertTrue(transformed.values.allSatisfy(\.isFinite))
    }

    func testAConstantNonRepresentableColumnStillMapsToExactlyZero() throws {
        let matrix = try FeatureMatrix(rows: [[0.1], [0.1], [0.1]])
        XCTAssertEqual(try FeatureStandardizer(fitting: matrix).transform(matrix).values, [0, 0, 0])
    }

    func testStatisticsComeFromTheFittedRowsOnly() throws {
        let standardizer = try FeatureStandardizer(fitting: FeatureMatrix(rows: training))
        let other = try standardizer.transform(FeatureMatrix(rows: [[7, 4, 7]]))
        XCTAssertEqual(other.values[0], 4 / spread, accuracy: 1e-6)
        XCTAssertEqual(other.values[1], 2, accuracy: 1e-6)
        XCTAssertEqual(other.values[2], 0, accuracy: 1e-6)
    }

    func testWrongColumnCountAndEmptyFitAreTypedErrors() throws {
        let standardizer = try FeatureStandardizer(fitting: FeatureMatrix(rows: training))
        XCTAssertThrowsError(try standardizer.transform(FeatureMatrix(rows: [[1, 2]]))) { error in
            XCTAssertEqual(error as? ClassicMLError,
                           .columnCountMismatch(expected: 3, found: 2, context: "the feature standardizer"))
        }
        XCTAssertThrowsError(try FeatureStandardizer(fitting: FeatureMatrix(rows: [])))
    }

    func testCodableRoundTripAndCorruptDecodingIsRejected() throws {
        let standardizer = try FeatureStandardizer(fitting: FeatureMatrix(rows: training))
        let decoded = try JSONDecoder().decode(FeatureStandardizer.self, from: JSONEncoder().encode(standardizer))
        XCTAssertEqual(decoded, standardizer)
        let corrupt = Data(#"{"means": [1, 2], "standardDeviations": [1, 0]}"#.utf8)
        XCTAssertThrowsError(try JSONDecoder().decode(FeatureStandardizer.self, from: corrupt))
    }
}
