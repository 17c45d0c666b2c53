import ClassicML
import Foundation
import Randomness

/// A labelled synthetic data set for the model tests.
struct LabelledRows {
    var features: FeatureMatrix
    var labels: [Int]

    var pair: (features: FeatureMatrix, labels: [Int]) { (features, labels) }
}

/// Gaussian blobs: class `c` is centred at `separation` times the unit vector of axis `c`
/// (so any two centres are `separation·√2` apart) with unit normal noise in every dimension.
/// `countPerClass[c]` rows per class, shuffled by `seed`.
func gaussianBlobs(countPerClass: [Int], dimensions: Int, separation: Double, seed: UInt64) throws -> LabelledRows {
    var generator = SeededGenerator(seed: seed)
    var labels = countPerClass.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
    labels.shuffle(using: &generator)
    var values: [Float] = []
    values.reserveCapacity(labels.count * dimensions)
    for label in labels {
        for axis in 0..<dimensions {
            let centre = axis == label ? separation : 0
            values.append(Float(centre + generator.nextNormal()))
        }
    }
    return LabelledRows(features: try FeatureMatrix(rowCount: labels.count, columnCount: dimensions, values: values),
                        labels: labels)
}

/// Rows whose labels are drawn uniformly at random, independent of the features: nothing can be learnt.
func randomlyLabelledRows(count: Int, dimensions: Int, classCount: Int, seed: UInt64) throws -> LabelledRows {
    var generator = SeededGenerator(seed: seed)
    let values = (0..<count * dimensions).map { _ in Float(generator.nextNormal()) }
    let labels = (0..<count).map { _ in Int(generator.next() % UInt64(classCount)) }
    return LabelledRows(features: try FeatureMatrix(rowCount: count, columnCount: dimensions, values: values),
                        labels: labels)
}

/// A fresh empty directory for files written by a test.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("classicml-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The largest deviation of a row sum from 1.
func largestRowSumError(_ probabilities: ProbabilityMatrix) -> Double {
    (0..<probabilities.rowCount).map { abs(probabilities[row: $0].reduce(0, +) - 1) }.max() ?? 0
}
