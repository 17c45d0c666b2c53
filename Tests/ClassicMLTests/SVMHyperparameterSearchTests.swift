import ClassicML
import XCTest

final class SVMHyperparameterSearchTests: XCTestCase {
    func testScaleGammaIsOneOverColumnsTimesVariance() throws {
        // Values 0, 2, 4, 6: mean 3, population variance 5; 2 columns → 1 / 10.
        let matrix = try FeatureMatrix(rows: [[0, 2], [4, 6]])
        XCTAssertEqual(SVMHyperparameterSearch.scaleGamma(for: matrix), 0.1, accuracy: 1e-12)
        XCTAssertEqual(SVMHyperparameterSearch.scaleGamma(for: try FeatureMatrix(rows: [[3, 3]])), 0.5, accuracy: 1e-12)
    }

    /// The winner has the best validation accuracy and, among the points tied at it, the lowest
    /// log loss; only tied points carry a log loss; the table covers the grid in C-major order.
    func testSelectsTheMostAccuratePointBreakingTiesByLogLoss() throws {
        let training = try gaussianBlobs(countPerClass: [40, 40, 40, 40], dimensions: 6, separation: 2, seed: 61)
        let validation = try gaussianBlobs(countPerClass: [30, 30, 30, 30], dimensions: 6, separation: 2, seed: 62)
        let search = SVMHyperparameterSearch(cValues: [0.01, 1, 100], gammaFactors: [0.1, 1, 10])
        let outcome = try search.select(train: training.pair, validation: validation.pair, classCount: 4,
                                        classWeights: [1, 1, 1, 1], seed: 3)
        let scale = SVMHyperparameterSearch.scaleGamma(for: training.features)
        XCTAssertEqual(outcome.table.map(\.c), [0.01, 0.01, 0.01, 1, 1, 1, 100, 100, 100])
        for (result, factor) in zip(outcome.table, [0.1, 1, 10, 0.1, 1, 10, 0.1, 1, 10]) {
            XCTAssertEqual(result.gamma, factor * scale, accuracy: 1e-12)
        }
        let bestAccuracy = try XCTUnwrap(outcome.table.map(\.validationAccuracy).max())
        XCTAssertGreaterThan(bestAccuracy, 0.8)
        for result in outcome.table {
            XCTAssertEqual(result.validationLogLoss != nil, result.validationAccuracy == bestAccuracy)
        }
        let winner = try XCTUnwrap(outcome.table.first { $0.c == outcome.c && $0.gamma == outcome.gamma })
        XCTAssertEqual(winner.validationAccuracy, bestAccuracy)
        let lowestLoss = try XCTUnwrap(outcome.table.compactMap(\.validationLogLoss).min())
        XCTAssertEqual(winner.validationLogLoss, lowestLoss)
        XCTAssertEqual(outcome.model.gamma, outcome.gamma)
        XCTAssertEqual(try outcome.model.probabilities(for: validation.features).logLoss(labels: validation.labels),
                       lowestLoss, accuracy: 1e-12, "the returned model is the one that was scored")
    }

    func testTheSearchIsReproducible() throws {
        let training = try gaussianBlobs(countPerClass: [30, 30, 30], dimensions: 5, separation: 2, seed: 71)
        let validation = try gaussianBlobs(countPerClass: [20, 20, 20], dimensions: 5, separation: 2, seed: 72)
        let search = SVMHyperparameterSearch(cValues: [1, 10], gammaFactors: [0.5, 2])
        let first = try search.select(train: training.pair, validation: validation.pair, classCount: 3,
                                      classWeights: [1, 1, 1], seed: 9)
        let second = try search.select(train: training.pair, validation: validation.pair, classCount: 3,
                                       classWeights: [1, 1, 1], seed: 9)
        XCTAssertEqual(first.table, second.table)
        XCTAssertEqual(try first.model.probabilities(for: validation.features),
                       try second.model.probabilities(for: validation.features))
    }

    func testAnEmptyGridOrBadValidationSetIsATypedError() throws {
        let rows = try gaussianBlobs(countPerClass: [5, 5], dimensions: 2, separation: 3, seed: 1)
        XCTAssertThrowsError(try SVMHyperparameterSearch(cValues: [], gammaFactors: [1])
            .select(train: rows.pair, validation: rows.pair, classCount: 2, classWeights: [1, 1], seed: 1))
        let narrow = try FeatureMatrix(rows: [[1], [2]])
        XCTAssertThrowsError(try SVMHyperparameterSearch.select(train: rows.pair, validation: (narrow, [0, 1]),
                                                                classCount: 2, classWeights: [1, 1], seed: 1)) { error in
            XCTAssertEqual(error as? ClassicMLError,
                           .columnCountMismatch(expected: 2, found: 1, context: "the validation set"))
        }
    }
}
