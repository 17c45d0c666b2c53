import Foundation
import TestSupport
import XCTest
@testable import Evaluation

/// The positional layouts (rows in class order), the checks every matrix passes, the default
/// matrices and the Bayes decision. The named layouts are in `CostMatrixLoadingTests`.
final class CostMatrixTests: XCTestCase {
    private func load(_ json: String) throws -> CostMatrix {
        let url = try TemporaryFolder(self).write("cost.json", json)
        return try CostMatrix.load(from: url, classNames: studyClassNames)
    }

    /// The fault reported when loading `json`, with the file name checked in the message.
    private func loadError(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> CostMatrixError? {
        do {
            _ = try load(json)
            XCTFail("\(json) should not load", file: file, line: line)
        } catch let error as CostMatrixError {
            XCTAssertTrue(error.description.contains("cost.json"), error.description, file: file, line: line)
            return error
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return nil
    }

    func testLoadsBareAndWrappedMatrices() throws {
        let rows = "[[0,10,20,30],[10,0,15,25],[20,15,0,10],[30,25,10,0]]"
        XCTAssertEqual(try load(rows), .study)
        XCTAssertEqual(try load("{\"matrix\": \(rows)}"), .study)
        XCTAssertEqual(try load("  \n[[0,1,1,1],[1,0,1,1],[1,1,0,1],[1,1,0.5,0]]").values[3][2], 0.5)
    }

    func testBadFiles() throws {
        guard case .notJSON? = loadError("{ matrix: nope") else { return XCTFail("not JSON") }
        guard case .notAMatrix? = loadError("[[0, \"a\"]]") else { return XCTFail("strings are not costs") }
        let shape = loadError("[[0,1,2,3],[1,0,2,3],[1,2,0,3]]")
        XCTAssertTrue(shape?.description.contains("shape 3x4, expected 4x4") == true, "\(String(describing: shape))")
        let ragged = loadError("{\"matrix\": [[0,1,2,3],[1,0,2],[1,2,0,3],[1,2,3,0]]}")
        XCTAssertTrue(ragged?.description.contains("4 rows of lengths 4, 3, 4, 4") == true, "\(String(describing: ragged))")
        // Rows and columns are named by the run's classes: row 2 is Pre, column 3 Pro.
        let negative = loadError("[[0,1,2,3],[1,0,2,3],[1,2,0,-3],[1,2,3,0]]")
        XCTAssertTrue(negative?.description.contains("negative cost -3.0 at row Pre, column Pro") == true,
                      "\(String(describing: negative))")
        let notFinite = loadError("[[0,1,2,3],[1,0,\"NaN\",3],[1,2,0,3],[1,2,3,0]]")
        XCTAssertTrue(notFinite?.description.contains("non-finite cost nan at row Early, column Pre") == true,
                      "\(String(describing: notFinite))")
        let diagonal = loadError("[[0,1,2,3],[1,0,2,3],[1,2,0,3],[1,2,3,0.5]]")
        guard case let .nonZeroDiagonal(_, className, value)? = diagonal else { return XCTFail("diagonal 0.5 accepted") }
        XCTAssertEqual(className, "Pro")
        XCTAssertEqual(value, 0.5)
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-cost.json")
        XCTAssertThrowsError(try CostMatrix.load(from: missing, classNames: studyClassNames)) { error in
            XCTAssertTrue("\(error)".contains("no-such-cost.json"))
        }
    }

    func testDecodingValidates() {
        XCTAssertThrowsError(try JSONDecoder().decode(CostMatrix.self, from: Data("{\"values\": [[0, -1], [1, 0]]}".utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(CostMatrix.self, from: Data("{\"values\": [[0, 1]]}".utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(CostMatrix.self, from: Data("{\"values\": [[0, 1], [1, 2]]}".utf8)))
        XCTAssertEqual(try JSONDecoder().decode(CostMatrix.self, from: JSONEncoder().encode(CostMatrix.study)), .study)
    }

    func testValuesNeedAZeroDiagonal() {
        // Without class names, rows and columns are named by index.
        assertThrows(CostMatrixError.nonZeroDiagonal(path: "my costs", className: "1", value: 2),
                     mentioning: ["my costs", "row 1, column 1", "2.0"]) {
            _ = try CostMatrix(values: [[0, 1, 1], [1, 2, 1], [1, 1, 0]], source: "my costs")
        }
        assertThrows(CostMatrixError.negative(path: "cost matrix", row: "0", column: "1", value: -1)) {
            _ = try CostMatrix(values: [[0, -1], [1, 0]])
        }
        XCTAssertEqual(try CostMatrix(values: [[0, 2], [3, 0]]).values, [[0, 2], [3, 0]])
    }

    func testZeroOneCostCountsErrors() throws {
        // Three classes, seven images; errors: 0→1, 1→2, 2→0 (three of them).
        let truth = [0, 0, 1, 1, 2, 2, 2]
        let predicted = [0, 1, 1, 2, 2, 0, 2]
        let errors = zip(truth, predicted).filter { $0 != $1 }.count
        XCTAssertEqual(errors, 3)
        let cost = CostMatrix.zeroOne(classCount: 3)
        XCTAssertEqual(cost.values, [[0, 1, 1], [1, 0, 1], [1, 1, 0]])
        let metrics = try ClassificationMetrics(
            trueLabels: truth, predictedLabels: predicted,
            probabilities: predicted.map { label in (0..<3).map { $0 == label ? 1 : 0 } },
            classNames: ["A", "B", "C"], cost: cost)
        XCTAssertEqual(metrics.totalCost, 3)
        XCTAssertEqual(metrics.averageCost, 3.0 / 7, accuracy: 1e-12)
        // ΣC = 6, chance cost = 6 · 7 / 3 = 14: cost-sensitive accuracy = 1 − 3/14.
        XCTAssertEqual(metrics.costSensitiveAccuracy, 11.0 / 14, accuracy: 1e-12)
        XCTAssertEqual(CostMatrix.zeroOne(classCount: 2).values, [[0, 1], [1, 0]])
    }

    func testStageDistance() {
        XCTAssertEqual(CostMatrix.stageDistance(classCount: 4).values,
                       [[0, 1, 2, 3], [1, 0, 1, 2], [2, 1, 0, 1], [3, 2, 1, 0]])
        XCTAssertEqual(CostMatrix.stageDistance(classCount: 2).values, [[0, 1], [1, 0]])
        let eight = CostMatrix.stageDistance(classCount: 8)
        XCTAssertEqual(eight.classCount, 8)
        XCTAssertEqual(eight.values[7][0], 7)
        XCTAssertEqual(eight.values[2][5], 3)
        XCTAssertEqual(eight.values[5][2], 3)
        XCTAssertEqual(eight.values[6][6], 0)
        // p = (½, 0, ½, 0): predicting stage j costs ½·j + ½·|2 − j|, i.e. 1, 1, 1, 2.
        XCTAssertEqual(try CostMatrix.stageDistance(classCount: 4).expectedCosts(probabilities: [0.5, 0, 0.5, 0]),
                       [1, 1, 1, 2])
    }

    func testExpectedCostsByHand() throws {
        // p = (0.5, 0.5, 0, 0): cost of column j = 0.5·C[0][j] + 0.5·C[1][j].
        XCTAssertEqual(try CostMatrix.study.expectedCosts(probabilities: [0.5, 0.5, 0, 0]), [5, 5, 17.5, 27.5])
        assertThrows(CostMatrixError.probabilityCount(found: 3, expected: 4)) {
            _ = try CostMatrix.study.expectedCosts(probabilities: [0.2, 0.3, 0.5])
        }
    }

    func testCostOptimalDecisionDiffersFromArgMax() throws {
        // p = (0.40, 0, 0.25, 0.35): arg-max is Benign (0), but the expected costs are
        //   Benign 0.25·20 + 0.35·30           = 15.5
        //   Early  0.40·10 + 0.25·15 + 0.35·25 = 16.5
        //   Pre    0.40·20 + 0.35·10           = 11.5   <- smallest
        //   Pro    0.40·30 + 0.25·10           = 14.5
        let probabilities = [0.40, 0, 0.25, 0.35]
        let costs = try CostMatrix.study.expectedCosts(probabilities: probabilities)
        for (value, expected) in zip(costs, [15.5, 16.5, 11.5, 14.5]) { XCTAssertEqual(value, expected, accuracy: 1e-12) }
        XCTAssertEqual(try CostMatrix.study.costOptimalDecision(probabilities: probabilities), 2)
        XCTAssertEqual(probabilities.indices.max { probabilities[$0] < probabilities[$1] }, 0)
        // A confident prediction keeps its class.
        XCTAssertEqual(try CostMatrix.study.costOptimalDecision(probabilities: [0, 0.9, 0.1, 0]), 1)
    }
}
