import Foundation

/// Misclassification costs: `values[i][j]` is the cost of predicting class j for an image of
/// class i (rows true, columns predicted), in the run's class order.
///
/// Every entry is finite, non-negative and at most `maximumCost`, and the diagonal is 0: a
/// correct prediction costs nothing. `load(from:classNames:)` reads one from a file.
public struct CostMatrix: Codable, Equatable, Sendable {
    /// The k×k costs, finite, non-negative, 0 on the diagonal.
    public let values: [[Double]]

    /// The study's costs for its four classes (Benign, Early, Pre, Pro): errors between distant
    /// maturity stages cost more.
    public static let study = CostMatrix(checked: [
        [0, 10, 20, 30],
        [10, 0, 15, 25],
        [20, 15, 0, 10],
        [30, 25, 10, 0],
    ])

    /// 0 on the diagonal, 1 elsewhere: the total cost is the number of errors.
    /// - Precondition: `classCount > 0`.
    public static func zeroOne(classCount: Int) -> CostMatrix {
        tabulated(classCount: classCount) { $0 == $1 ? 0 : 1 }
    }

    /// `|i − j|`, for classes ordered as stages: an error costs the number of stages between the
    /// true and the predicted class.
    /// - Precondition: `classCount > 0`.
    public static func stageDistance(classCount: Int) -> CostMatrix {
        tabulated(classCount: classCount) { Double(abs($0 - $1)) }
    }

    /// The matrix whose entry (i, j) is `cost(i, j)`; `cost` must give valid entries.
    private static func tabulated(classCount: Int, _ cost: (Int, Int) -> Double) -> CostMatrix {
        precondition(classCount > 0, "a cost matrix needs at least one class")
        return CostMatrix(checked: (0..<classCount).map { i in (0..<classCount).map { j in cost(i, j) } })
    }

    /// Values already known to be square and valid.
    init(checked values: [[Double]]) {
        self.values = values
    }

    /// A cost matrix after checking that `values` is square, non-empty, finite, non-negative, at
    /// most `maximumCost`, and 0 on the diagonal.
    /// - Parameter source: names the origin of the values in errors (a file path, say).
    /// - Throws: `CostMatrixError`; rows and columns are named by index.
    public init(values: [[Double]], source: String = "cost matrix") throws {
        let rows = values.count
        let columns = Set(values.map(\.count))
        guard rows > 0, columns == [rows] else {
            throw CostMatrixError.wrongShape(path: source, found: Self.shape(of: values),
                                             expected: rows > 0 ? "\(rows)x\(rows)" : "at least 1x1")
        }
        try Self.checkEntries(values, classNames: nil, source: source)
        self.values = values
    }

    /// Decodes `{"values": [[...]]}` and applies the checks of `init(values:)`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(values: container.decode([[Double]].self, forKey: .values))
    }

    private enum CodingKeys: String, CodingKey { case values }

    /// The number of classes.
    public var classCount: Int { values.count }

    /// "3x4", or "3 rows of lengths 4, 4, 3" when the rows differ.
    static func shape(of values: [[Double]]) -> String {
        let lengths = values.map(\.count)
        guard let first = lengths.first else { return "0x0" }
        if lengths.allSatisfy({ $0 == first }) { return "\(values.count)x\(first)" }
        return "\(values.count) rows of lengths \(lengths.map(String.init).joined(separator: ", "))"
    }

    /// The largest cost an entry may have: costs are relative, and larger ones are a slip (an
    /// extra digit, a pasted number) that would swamp every other error.
    public static let maximumCost = 1_000_000.0

    /// Checks every entry of the square `values`: finite, non-negative, at most `maximumCost`, and
    /// 0 on the diagonal.
    /// - Parameter classNames: names rows and columns in errors; nil names them by index.
    static func checkEntries(_ values: [[Double]], classNames: [String]?, source: String) throws {
        func label(_ index: Int) -> String { classNames?[index] ?? "\(index)" }
        for (row, costs) in values.enumerated() {
            for (column, cost) in costs.enumerated() {
                guard cost.isFinite else {
                    throw CostMatrixError.nonFinite(path: source, row: label(row), column: label(column),
                                                    value: "\(cost)")
                }
                guard cost >= 0 else {
                    throw CostMatrixError.negative(path: source, row: label(row), column: label(column), value: cost)
                }
                guard cost <= maximumCost else {
                    throw CostMatrixError.tooLarge(path: source, row: label(row), column: label(column), value: cost)
                }
                guard row != column || cost == 0 else {
                    throw CostMatrixError.nonZeroDiagonal(path: source, className: label(row), value: cost)
                }
            }
        }
    }

    /// `result[j] = Σ_i p_i · C[i][j]`: the expected cost of predicting class j when the classes
    /// have probabilities `probabilities`.
    /// - Throws: `CostMatrixError.probabilityCount` unless there is one probability per class.
    public func expectedCosts(probabilities: [Double]) throws -> [Double] {
        guard probabilities.count == classCount else {
            throw CostMatrixError.probabilityCount(found: probabilities.count, expected: classCount)
        }
        var costs = [Double](repeating: 0, count: classCount)
        for (actual, probability) in probabilities.enumerated() {
            for predicted in 0..<classCount {
                costs[predicted] += probability * values[actual][predicted]
            }
        }
        return costs
    }

    /// The class with the smallest expected cost (the first one on ties): the Bayes decision,
    /// which can differ from the most probable class.
    public func costOptimalDecision(probabilities: [Double]) throws -> Int {
        let costs = try expectedCosts(probabilities: probabilities)
        var best = 0
        for predicted in 1..<classCount where costs[predicted] < costs[best] {
            best = predicted
        }
        return best
    }
}
