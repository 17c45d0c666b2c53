import Foundation

/// Class probabilities of a set of rows, stored contiguously: row `r` holds one probability
/// per class, column `c` being class index `c`, and each row sums to 1.
public struct ProbabilityMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let classCount: Int
    /// Row-major probabilities: `values[row * classCount + classIndex]`.
    public let values: [Double]

    init(rowCount: Int, classCount: Int, values: [Double]) {
        self.rowCount = rowCount
        self.classCount = classCount
        self.values = values
    }

    /// The probabilities of one row, indexed by class.
    public subscript(row row: Int) -> ArraySlice<Double> {
        values[row * classCount ..< (row + 1) * classCount]
    }

    /// The most probable class of each row (the lowest class index on a tie).
    public var predictedClasses: [Int] {
        (0..<rowCount).map { row in
            let probabilities = self[row: row]
            var best = probabilities.startIndex
            for index in probabilities.indices where probabilities[index] > probabilities[best] { best = index }
            return best - probabilities.startIndex
        }
    }

    /// The fraction of rows whose most probable class is the label (one label per row, in range).
    public func accuracy(labels: [Int]) throws -> Double {
        try checkLabels(labels)
        let correct = zip(predictedClasses, labels).filter { $0 == $1 }.count
        return Double(correct) / Double(rowCount)
    }

    /// The mean negative log probability of the true label, with probabilities clipped to
    /// `[1e-15, 1]` so a confident mistake costs about 34.5 instead of infinity.
    public func logLoss(labels: [Int]) throws -> Double {
        try checkLabels(labels)
        var total = 0.0
        for (row, label) in labels.enumerated() {
            total -= Foundation.log(min(max(values[row * classCount + label], 1e-15), 1))
        }
        return total / Double(rowCount)
    }

    private func checkLabels(_ labels: [Int]) throws {
        guard rowCount > 0 else { throw ClassicMLError.emptyMatrix(context: "scoring probabilities") }
        guard labels.count == rowCount else { throw ClassicMLError.labelCountMismatch(rows: rowCount, labels: labels.count) }
        _ = try classSampleCounts(labels: labels, classCount: classCount, requireEveryClass: false)
    }
}

extension ProbabilityMatrix {
    /// The rows as separate arrays, for code that works image by image.
    public var rows: [[Double]] {
        (0..<rowCount).map { Array(self[row: $0]) }
    }
}
