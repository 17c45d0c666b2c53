import ClassicML
import TestSupport
import XCTest

final class SVMClassifierTests: XCTestCase {
    private let contract = ClassifierContract(
        train: { training, _, classCount, weights, seed in
            try SVMClassifier.train(features: training.features, labels: training.labels, classCount: classCount,
                                    classWeights: weights, c: 1, gamma: 0.1, seed: seed)
        },
        load: { try SVMClassifier.load(from: $0) },
        fileExtension: "svm")

    func testLearnsSeparableBlobsWithClassIndexedColumns() throws { try contract.assertLearnsSeparableBlobs() }
    func testSaveLoadAndSameSeedGiveIdenticalProbabilities() throws { try contract.assertSaveLoadAndSeedReproducibility() }
    func testClassWeightsShiftPredictionsTowardTheMinority() throws {
        let counts = try contract.assertClassWeightsFavourTheMinority()
        print("SVM minority predictions on 600 balanced rows: unweighted \(counts.unweighted), weighted \(counts.weighted)")
    }
    func testMissingAndCorruptFilesAreNamedErrors() throws { try contract.assertBadFilesAreNamedErrors() }
    func testTruncatedFileIsANamedError() throws { try contract.assertTruncatedFileIsANamedError() }

    func testInvalidHyperparametersAndLabelsAreTypedErrors() throws {
        let rows = try gaussianBlobs(countPerClass: [5, 5], dimensions: 2, separation: 3, seed: 1)
        XCTAssertThrowsError(try SVMClassifier.train(features: rows.features, labels: rows.labels, classCount: 2,
                                                     classWeights: [1, 1], c: 0, gamma: 0.1, seed: 1)) { error in
            XCTAssertEqual(error as? ClassicMLError, .invalidHyperparameter(name: "C", value: "0.0"))
        }
        XCTAssertThrowsError(try SVMClassifier.train(features: rows.features, labels: rows.labels, classCount: 3,
                                                     classWeights: [1, 1, 1], c: 1, gamma: 0.1, seed: 1)) { error in
            XCTAssertEqual(error as? ClassicMLError, .classWithoutSamples(classIndex: 2))
        }
        XCTAssertThrowsError(try SVMClassifier.train(features: rows.features, labels: Array(rows.labels.dropLast()),
                                                     classCount: 2, classWeights: [1, 1], c: 1, gamma: 0.1, seed: 1)) { error in
            XCTAssertEqual(error as? ClassicMLError, .labelCountMismatch(rows: 10, labels: 9))
        }
        let noColumns = try FeatureMatrix(rowCount: 2, columnCount: 0, values: [])
        XCTAssertThrowsError(try SVMClassifier.train(features: noColumns, labels: [0, 1], classCount: 2,
                                                     classWeights: [1, 1], c: 1, gamma: 0.1, seed: 1)) { error in
            XCTAssertEqual(error as? ClassicMLError, .noFeatureColumns(context: "training a classifier"))
        }
        XCTAssertThrowsError(try SVMClassifier.train(features: rows.features, labels: rows.labels, classCount: 2,
                                                     classWeights: [1, -1], c: 1, gamma: 0.1, seed: 1)) { error in
            XCTAssertEqual(error as? ClassicMLError, .invalidClassWeights([1, -1], classCount: 2))
        }
    }
}
