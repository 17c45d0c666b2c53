import Foundation
import XCTest
@testable import Evaluation

final class McNemarTestTests: XCTestCase {
    /// Hand-computed exact p-values, 2 · P(X ≤ min(b, c)) with X ~ Bin(b + c, 1/2):
    /// b = 1, c = 6: 2 · (1 + 7)/128 = 0.125; b = 0, c = 5: 2/32 = 0.0625;
    /// b = 2, c = 10: 2 · (1 + 12 + 66)/4096 = 158/4096; b = c or b + c = 0: 1.
    func testHandComputedPValues() {
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 1, onlySecondCorrect: 6).pValue, 0.125, accuracy: 1e-12)
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 6, onlySecondCorrect: 1).pValue, 0.125, accuracy: 1e-12)
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 0, onlySecondCorrect: 5).pValue, 0.0625, accuracy: 1e-12)
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 2, onlySecondCorrect: 10).pValue, 158.0 / 4096, accuracy: 1e-12)
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 4, onlySecondCorrect: 4).pValue, 1)
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 0, onlySecondCorrect: 1).pValue, 1)
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 0, onlySecondCorrect: 0).pValue, 1)
    }

    /// Thousands of discordant images: b = 2,000, c = 2,200 is close to the continuity-corrected
    /// chi-square p = erfc(√(χ²/2)), χ² = (|b − c| − 1)²/(b + c) ≈ 0.00214; far apart, the p-value
    /// underflows towards 0 without becoming NaN; equal, it is 1.
    func testLargeCountsInLogSpace() {
        let chiSquare = 199.0 * 199.0 / 4_200
        let approximate = erfc((chiSquare / 2).squareRoot())
        let exact = McNemarTest(onlyFirstCorrect: 2_000, onlySecondCorrect: 2_200).pValue
        XCTAssertEqual(exact, approximate, accuracy: 0.05 * approximate)
        XCTAssertEqual(McNemarTest(onlyFirstCorrect: 5_000, onlySecondCorrect: 5_000).pValue, 1)
        let extreme = McNemarTest(onlyFirstCorrect: 10, onlySecondCorrect: 3_000).pValue
        XCTAssertFalse(extreme.isNaN)
        XCTAssertLessThan(extreme, 1e-300)
        XCTAssertGreaterThanOrEqual(extreme, 0)
    }

    /// Labels 0 1 2 0 1 2; first predicts 0 1 0 0 2 2 (right on images 0, 1, 3, 5), second 0 0 2 1 1 2
    /// (right on 0, 2, 4, 5): only the first is right on 1 and 3 (b = 2), only the second on 2 and
    /// 4 (c = 2).
    func testCountsFromPredictions() throws {
        let test = try McNemarTest(labels: [0, 1, 2, 0, 1, 2], firstPredictions: [0, 1, 0, 0, 2, 2],
                                   secondPredictions: [0, 0, 2, 1, 1, 2])
        XCTAssertEqual(test.onlyFirstCorrect, 2)
        XCTAssertEqual(test.onlySecondCorrect, 2)
        XCTAssertEqual(test.pValue, 1)
        XCTAssertThrowsError(try McNemarTest(labels: [0, 1], firstPredictions: [0], secondPredictions: [0, 1]))
    }
}
