import ClassicML
import Foundation
import TestSupport
import XCTest

/// Trains one kind of classifier; the SVM ignores `validation`, XGBoost stops early on it.
typealias ClassifierTrainer = (_ train: LabelledRows, _ validation: LabelledRows, _ classCount: Int,
                               _ classWeights: [Double], _ seed: UInt64) throws -> any ProbabilisticClassifier

/// The behaviour every `ProbabilisticClassifier` must show, checked on seeded synthetic problems.
struct ClassifierContract {
    let train: ClassifierTrainer
    let load: (URL) throws -> any ProbabilisticClassifier
    let fileExtension: String

    /// Four well separated blobs in 10-D (centres 4√2 apart, unit noise): held-out accuracy ≥ 0.95,
    /// rows summing to 1, and the training rows start with class 3 so that a classifier that
    /// numbered classes by order of appearance would score near zero.
    func assertLearnsSeparableBlobs(file: StaticString = #filePath, line: UInt = #line) throws {
        var training = try gaussianBlobs(countPerClass: [60, 60, 60, 60], dimensions: 10, separation: 4, seed: 1)
        let firstOfClass3 = try XCTUnwrap(training.labels.firstIndex(of: 3))
        training = try reordered(training, moving: firstOfClass3)
        XCTAssertEqual(training.labels.first, 3)
        let validation = try gaussianBlobs(countPerClass: [20, 20, 20, 20], dimensions: 10, separation: 4, seed: 2)
        let test = try gaussianBlobs(countPerClass: [50, 50, 50, 50], dimensions: 10, separation: 4, seed: 3)

        let model = try train(training, validation, 4, [1, 1, 1, 1], 7)
        XCTAssertEqual(model.classCount, 4, file: file, line: line)
        XCTAssertEqual(model.featureCount, 10, file: file, line: line)
        let probabilities = try model.probabilities(for: test.features)
        XCTAssertGreaterThanOrEqual(try probabilities.accuracy(labels: test.labels), 0.95, file: file, line: line)
        XCTAssertLessThan(largestRowSumError(probabilities), 1e-6, file: file, line: line)
        XCTAssertTrue(probabilities.values.allSatisfy { $0 >= 0 && $0 <= 1 }, file: file, line: line)
        XCTAssertThrowsError(try model.probabilities(for: FeatureMatrix(rows: [[1, 2, 3]])), file: file, line: line)
    }

    /// Saving and loading gives bit-identical probabilities; training twice with one seed does too,
    /// and another seed does not.
    func assertSaveLoadAndSeedReproducibility(file: StaticString = #filePath, line: UInt = #line) throws {
        let training = try gaussianBlobs(countPerClass: [40, 40, 40, 40], dimensions: 10, separation: 2, seed: 11)
        let validation = try gaussianBlobs(countPerClass: [15, 15, 15, 15], dimensions: 10, separation: 2, seed: 12)
        let test = try gaussianBlobs(countPerClass: [25, 25, 25, 25], dimensions: 10, separation: 2, seed: 13)
        let model = try train(training, validation, 4, [1, 1, 1, 1], 5)
        let probabilities = try model.probabilities(for: test.features)

        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let directory = folder.url
        let url = directory.appendingPathComponent("model.\(fileExtension)")
        try model.save(to: url)
        XCTAssertEqual(try load(url).probabilities(for: test.features), probabilities, file: file, line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.\(fileExtension)"],
                       "no temporary file is left behind", file: file, line: line)

        let again = try train(training, validation, 4, [1, 1, 1, 1], 5)
        XCTAssertEqual(try again.probabilities(for: test.features), probabilities, file: file, line: line)
        let otherSeed = try train(training, validation, 4, [1, 1, 1, 1], 6)
        XCTAssertNotEqual(try otherSeed.probabilities(for: test.features), probabilities,
                          "the seed reaches the randomized parts of training", file: file, line: line)
    }

    /// On an overlapping 2-class problem with 10:1 imbalance, balanced class weights make the
    /// model predict the minority class clearly more often on a balanced test set.
    func assertClassWeightsFavourTheMinority(file: StaticString = #filePath, line: UInt = #line) throws -> (unweighted: Int, weighted: Int) {
        let training = try gaussianBlobs(countPerClass: [400, 40], dimensions: 2, separation: 1.5, seed: 21)
        let validation = try gaussianBlobs(countPerClass: [100, 10], dimensions: 2, separation: 1.5, seed: 22)
        let test = try gaussianBlobs(countPerClass: [300, 300], dimensions: 2, separation: 1.5, seed: 23)
        let weights = try balancedClassWeights(labels: training.labels, classCount: 2)
        let unweighted = try train(training, validation, 2, [1, 1], 3).predictedClasses(for: test.features)
        let weighted = try train(training, validation, 2, weights, 3).predictedClasses(for: test.features)
        let counts = (unweighted.filter { $0 == 1 }.count, weighted.filter { $0 == 1 }.count)
        XCTAssertGreaterThan(counts.1, counts.0 + 30, "minority predictions: unweighted \(counts.0), weighted \(counts.1)",
                             file: file, line: line)
        return counts
    }

    /// A missing file and a corrupt file are typed errors that name the file.
    func assertBadFilesAreNamedErrors(file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let directory = folder.url
        let missing = directory.appendingPathComponent("missing.\(fileExtension)")
        let corrupt = directory.appendingPathComponent("corrupt.\(fileExtension)")
        try Data("this is not a model\n".utf8).write(to: corrupt)
        for url in [missing, corrupt] {
            XCTAssertThrowsError(try load(url), file: file, line: line) { error in
                guard case .unreadableModelFile(let path, _)? = error as? ClassicMLError else {
                    return XCTFail("unexpected error \(error)", file: file, line: line)
                }
                XCTAssertEqual(path, url.path, file: file, line: line)
                XCTAssertTrue("\(error)".contains(url.path), file: file, line: line)
            }
        }
    }

    /// A model file cut in half is rejected with an error naming it (not a crash).
    func assertTruncatedFileIsANamedError(file: StaticString = #filePath, line: UInt = #line) throws {
        let training = try gaussianBlobs(countPerClass: [20, 20], dimensions: 3, separation: 3, seed: 31)
        let model = try train(training, training, 2, [1, 1], 1)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let directory = folder.url
        let url = directory.appendingPathComponent("truncated.\(fileExtension)")
        try model.save(to: url)
        let contents = try Data(contentsOf: url)
        try contents.prefix(contents.count / 2).write(to: url)
        XCTAssertThrowsError(try load(url), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)", file: file, line: line)
        }
    }

    private func reordered(_ rows: LabelledRows, moving index: Int) throws -> LabelledRows {
        var order = Array(0..<rows.labels.count)
        order.swapAt(0, index)
        return LabelledRows(features: try rows.features.selectingRows(order), labels: order.map { rows.labels[$0] })
    }
}

/// The largest deviation of a row sum from 1.
private func largestRowSumError(_ probabilities: ProbabilityMatrix) -> Double {
    (0..<probabilities.rowCount).map { abs(probabilities[row: $0].reduce(0, +) - 1) }.max() ?? 0
}
