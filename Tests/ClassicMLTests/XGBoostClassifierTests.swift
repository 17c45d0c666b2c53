import ClassicML
import Foundation
import TestSupport
import XCTest

final class XGBoostClassifierTests: XCTestCase {
    private let contract = ClassifierContract(
        train: { training, validation, classCount, weights, seed in
            try XGBoostClassifier.train(train: training.pair, validation: validation.pair, classCount: classCount,
                                        classWeights: weights, parameters: XGBoostParameters(), seed: seed)
        },
        load: { try XGBoostClassifier.load(from: $0) },
        fileExtension: "json")

    func testLearnsSeparableBlobsWithClassIndexedColumns() throws { try contract.assertLearnsSeparableBlobs() }
    func testSaveLoadAndSameSeedGiveIdenticalProbabilities() throws { try contract.assertSaveLoadAndSeedReproducibility() }
    func testClassWeightsShiftPredictionsTowardTheMinority() throws {
        let counts = try contract.assertClassWeightsFavourTheMinority()
        print("XGBoost minority predictions on 600 balanced rows: unweighted \(counts.unweighted), weighted \(counts.weighted)")
    }
    func testMissingAndCorruptFilesAreNamedErrors() throws { try contract.assertBadFilesAreNamedErrors() }
    func testTruncatedFileIsANamedError() throws { try contract.assertTruncatedFileIsANamedError() }

    /// With labels independent of the features, every round after the first few only fits noise,
    /// so the validation loss rises and training stops `earlyStoppingRounds` after its minimum.
    func testEarlyStoppingKeepsTheRoundWithTheLowestValidationLoss() throws {
        let training = try randomlyLabelledRows(count: 300, dimensions: 5, classCount: 3, seed: 41)
        let validation = try randomlyLabelledRows(count: 150, dimensions: 5, classCount: 3, seed: 42)
        var parameters = XGBoostParameters()
        parameters.eta = 0.3
        parameters.maxDepth = 6
        parameters.earlyStoppingRounds = 10
        parameters.maxRounds = 500
        let model = try XGBoostClassifier.train(train: training.pair, validation: validation.pair, classCount: 3,
                                                classWeights: [1, 1, 1], parameters: parameters, seed: 1)
        let history = model.validationLossHistory
        XCTAssertLessThan(history.count, parameters.maxRounds)
        XCTAssertEqual(history.count, model.bestIteration + parameters.earlyStoppingRounds + 1)
        XCTAssertEqual(history.firstIndex(of: try XCTUnwrap(history.min())), model.bestIteration)
        XCTAssertGreaterThan(try XCTUnwrap(history.last), history[model.bestIteration])

        let directory = try TemporaryFolder(self).url
        let url = directory.appendingPathComponent("noisy.json")
        try model.save(to: url)
        let loaded = try XGBoostClassifier.load(from: url)
        XCTAssertEqual(loaded.bestIteration, model.bestIteration)
        XCTAssertEqual(loaded.validationLossHistory, history)
        XCTAssertEqual(loaded.parameters, parameters)
    }

    /// A refit trains a fixed round count without a validation set: on the same rows and seed it
    /// grows exactly the trees that early stopping kept, and saves and loads without a history.
    func testAFixedRoundCountGrowsTheTreesEarlyStoppingKept() throws {
        let training = try randomlyLabelledRows(count: 300, dimensions: 5, classCount: 3, seed: 41)
        let validation = try randomlyLabelledRows(count: 150, dimensions: 5, classCount: 3, seed: 42)
        var parameters = XGBoostParameters()
        parameters.eta = 0.3
        parameters.earlyStoppingRounds = 10
        let stopped = try XGBoostClassifier.train(train: training.pair, validation: validation.pair, classCount: 3,
                                                  classWeights: [1, 2, 1], parameters: parameters, seed: 9)
        let fixed = try XGBoostClassifier.train(train: training.pair, rounds: stopped.bestIteration + 1, classCount: 3,
                                                classWeights: [1, 2, 1], parameters: parameters, seed: 9)
        XCTAssertEqual(fixed.bestIteration, stopped.bestIteration)
        XCTAssertEqual(fixed.validationLossHistory, [])
        XCTAssertEqual(try fixed.probabilities(for: validation.features).rows, try stopped.probabilities(for: validation.features).rows)
        let longer = try XGBoostClassifier.train(train: training.pair, rounds: stopped.bestIteration + 5, classCount: 3,
                                                 classWeights: [1, 2, 1], parameters: parameters, seed: 9)
        XCTAssertNotEqual(try longer.probabilities(for: validation.features).rows, try stopped.probabilities(for: validation.features).rows)

        let url = try TemporaryFolder(self).url.appendingPathComponent("refit.json")
        try fixed.save(to: url)
        let loaded = try XGBoostClassifier.load(from: url)
        XCTAssertEqual(loaded.bestIteration, fixed.bestIteration)
        XCTAssertEqual(try loaded.probabilities(for: validation.features).rows, try fixed.probabilities(for: validation.features).rows)
        XCTAssertThrowsError(try XGBoostClassifier.train(train: training.pair, rounds: 0, classCount: 3, classWeights: [1, 1, 1],
                                                         parameters: parameters, seed: 9))
    }

    /// The kept model is the best round: its weighted validation log loss is the recorded minimum
    /// (XGBoost reports losses to 6 significant digits, hence the tolerance).
    func testKeptRoundsReproduceTheBestValidationLoss() throws {
        let training = try gaussianBlobs(countPerClass: [50, 50, 50], dimensions: 4, separation: 1.5, seed: 51)
        let validation = try gaussianBlobs(countPerClass: [30, 30, 30], dimensions: 4, separation: 1.5, seed: 52)
        let model = try XGBoostClassifier.train(train: training.pair, validation: validation.pair, classCount: 3,
                                                classWeights: [1, 1, 1], parameters: XGBoostParameters(), seed: 2)
        let loss = try model.probabilities(for: validation.features).logLoss(labels: validation.labels)
        XCTAssertEqual(loss, model.validationLossHistory[model.bestIteration], accuracy: 1e-4)
    }

    func testInvalidParametersAndFileNamesAreTypedErrors() throws {
        let rows = try gaussianBlobs(countPerClass: [5, 5], dimensions: 2, separation: 3, seed: 1)
        var parameters = XGBoostParameters()
        parameters.subsample = 0
        XCTAssertThrowsError(try XGBoostClassifier.train(train: rows.pair, validation: rows.pair, classCount: 2,
                                                         classWeights: [1, 1], parameters: parameters, seed: 1)) { error in
            XCTAssertEqual(error as? ClassicMLError, .invalidHyperparameter(name: "subsample", value: "0.0"))
        }
        let model = try XGBoostClassifier.train(train: rows.pair, validation: rows.pair, classCount: 2,
                                                classWeights: [1, 1], parameters: XGBoostParameters(), seed: 1)
        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("model.bin")
        XCTAssertThrowsError(try model.save(to: binary)) { error in
            XCTAssertTrue("\(error)".contains(binary.path))
        }
    }
}
