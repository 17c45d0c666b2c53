import ClassicML
import Randomness

/// A labelled synthetic data set for the classical model tests.
public struct LabelledRows {
    public var features: FeatureMatrix
    public var labels: [Int]

    public init(features: FeatureMatrix, labels: [Int]) {
        self.features = features
        self.labels = labels
    }

    public var pair: (features: FeatureMatrix, labels: [Int]) { (features, labels) }
}

/// Gaussian blobs: class `c` is centred at `separation` times the unit vector of axis `c`
/// (so any two centres are `separation·√2` apart) with unit normal noise in every dimension.
/// `countPerClass[c]` rows per class, shuffled by `seed`.
public func gaussianBlobs(countPerClass: [Int], dimensions: Int, separation: Double, seed: UInt64) throws -> LabelledRows {
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
public func randomlyLabelledRows(count: Int, dimensions: Int, classCount: Int, seed: UInt64) throws -> LabelledRows {
    var generator = SeededGenerator(seed: seed)
    let values = (0..<count * dimensions).map { _ in Float(generator.nextNormal()) }
    let labels = (0..<count).map { _ in Int(generator.next() % UInt64(classCount)) }
    return LabelledRows(features: try FeatureMatrix(rowCount: count, columnCount: dimensions, values: values),
                        labels: labels)
}
