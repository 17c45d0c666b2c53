import ClassicML
import Foundation
import TestSupport
import XCTest

final class SVMHyperparameterSearchTests: XCTestCase {
    func testScaleGammaIsOneOverColumnsTimesVariance() throws {
        // Values 0, 2, 4, 6: mean 3, population variance 5; 2 columns → 1 / 10.
        let matrix = try FeatureMatrix(rows: [[0, 2], [4, 6]])
        XCTAssertEqual(SVMHyperparameterSearch.scaleGamma(for: matrix), 0.1, accuracy: 1e-12)
        XCTAssertEqual(SVMHyperparameterSearch.scaleGamma(for: try FeatureMatrix(rows: [[3, 3]])), 0.5, accuracy: 1e-12)
    }

    /// The 3 best-screened points (and ties) are refit; the winner has the best probability-model
    /// accuracy among them and the lowest log loss at that accuracy; the table covers the grid in
    /// C-major order. This grid contains C = 0.01, whose vote wins but whose probabilities are
    /// nearly uniform: the refit stage must not return it.
    func testSelectsTheMostAccurateRefitPointBreakingTiesByLogLoss() throws {
        let training = try gaussianBlobs(countPerClass: [40, 40, 40, 40], dimensions: 6, separation: 2, seed: 61)
        let validation = try gaussianBlobs(countPerClass: [30, 30, 30, 30], dimensions: 6, separation: 2, seed: 62)
        let search = SVMHyperparameterSearch(cValues: [0.01, 1, 100], gammaFactors: [0.1, 1, 10], refitCount: 3)
        let outcome = try search.select(train: training.pair, validation: validation.pair, classCount: 4,
                                        classWeights: [1, 1, 1, 1], seed: 3)
        let scale = SVMHyperparameterSearch.scaleGamma(for: training.features)
        XCTAssertEqual(outcome.table.map(\.c), [0.01, 0.01, 0.01, 1, 1, 1, 100, 100, 100])
        for (result, factor) in zip(outcome.table, [0.1, 1, 10, 0.1, 1, 10, 0.1, 1, 10]) {
            XCTAssertEqual(result.gamma, factor * scale, accuracy: 1e-12)
        }

        let refit = outcome.table.filter { $0.validationAccuracy != nil }
        XCTAssertGreaterThanOrEqual(refit.count, 3)
        XCTAssertTrue(refit.allSatisfy { $0.validationLogLoss != nil })
        let lowestRefitVote = try XCTUnwrap(refit.map(\.voteAccuracy).min())
        XCTAssertTrue(outcome.table.allSatisfy { $0.validationAccuracy != nil || $0.voteAccuracy <= lowestRefitVote },
                      "no point left out of the refit screened better than one refit")

        let winner = try XCTUnwrap(outcome.table.first { $0.c == outcome.c && $0.gamma == outcome.gamma })
        let bestAccuracy = try XCTUnwrap(refit.compactMap(\.validationAccuracy).max())
        XCTAssertEqual(winner.validationAccuracy, bestAccuracy)
        let lowestLossAtBest = try XCTUnwrap(refit.filter { $0.validationAccuracy == bestAccuracy }
            .compactMap(\.validationLogLoss).min())
        XCTAssertEqual(winner.validationLogLoss, lowestLossAtBest)
        XCTAssertNotEqual(outcome.c, 0.01)
        XCTAssertLessThan(lowestLossAtBest, 0.9 * log(4.0), "the chosen probabilities are far from uniform")
        XCTAssertEqual(outcome.model.gamma, outcome.gamma)
        let modelProbabilities = try outcome.model.probabilities(for: validation.features)
        XCTAssertEqual(try modelProbabilities.logLoss(labels: validation.labels), lowestLossAtBest, accuracy: 1e-12,
                       "the returned model is the one that was scored")
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
