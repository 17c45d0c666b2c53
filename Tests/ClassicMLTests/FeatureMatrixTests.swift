import ClassicML
import XCTest

final class FeatureMatrixTests: XCTestCase {
    func testRowsAreStoredRowMajor() throws {
        let matrix = try FeatureMatrix(rows: [[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(matrix.rowCount, 2)
        XCTAssertEqual(matrix.columnCount, 3)
        XCTAssertEqual(matrix.values, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(Array(matrix[row: 1]), [4, 5, 6])
        XCTAssertEqual(matrix[row: 0, column: 2], 3)
    }

    func testRaggedRowIsAnErrorNamingTheRow() {
        XCTAssertThrowsError(try FeatureMatrix(rows: [[1, 2], [3, 4], [5]])) { error in
            XCTAssertEqual(error as? ClassicMLError, .raggedRow(row: 2, expectedColumns: 2, foundColumns: 1))
            XCTAssertTrue("\(error)".contains("row 2"))
        }
    }

    func testNonFiniteValueIsAnErrorNamingItsPosition() {
        XCTAssertThrowsError(try FeatureMatrix(rows: [[1, 2], [3, .nan]])) { error in
            XCTAssertTrue("\(error)".contains("row 1, column 1"), "\(error)")
        }
        XCTAssertThrowsError(try FeatureMatrix(rowCount: 2, columnCount: 2, values: [1, 2, 3])) { error in
            XCTAssertEqual(error as? ClassicMLError, .valueCountMismatch(expected: 4, found: 3))
        }
    }

    func testSelectingRowsKeepsTheGivenOrderAndRejectsBadIndices() throws {
        let matrix = try FeatureMatrix(rows: [[1, 2], [3, 4], [5, 6]])
        XCTAssertEqual(try matrix.selectingRows([2, 0]).values, [5, 6, 1, 2])
        XCTAssertThrowsError(try matrix.selectingRows([3])) { error in
            XCTAssertEqual(error as? ClassicMLError, .rowIndexOutOfRange(index: 3, rowCount: 3))
        }
    }
}
