import Foundation
import Datasets
import ToolkitSupport

/// Misclassification costs: `values[i][j]` is the cost of predicting class j for an image of
/// class i (rows true, columns predicted), in `LeukemiaClass` order.
public struct CostMatrix: Codable, Equatable, Sendable {
    /// The k×k costs, finite and non-negative.
    public let values: [[Double]]

    /// The study's costs: errors between distant maturity stages cost more.
    public static let study = CostMatrix(checked: [
        [0, 10, 20, 30],
        [10, 0, 15, 25],
        [20, 15, 0, 10],
        [30, 25, 10, 0],
    ])

    private init(checked values: [[Double]]) {
        self.values = values
    }

    /// A cost matrix after checking that `values` is square, non-empty, finite and non-negative.
    /// - Parameter source: names the origin of the values in errors (a file path, say).
    public init(values: [[Double]], source: String = "cost matrix") throws {
        let rows = values.count
        let columns = Set(values.map(\.count))
        guard rows > 0, columns == [rows] else {
            throw CostMatrixError.wrongShape(path: source, found: Self.shape(of: values),
                                             expected: rows > 0 ? "\(rows)x\(rows)" : "at least 1x1")
        }
        try Self.checkEntries(values, source: source)
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

    /// Loads a matrix from JSON: a bare array of rows `[[0, 10, ...], ...]`
    /// or an object `{"matrix": [[...], ...]}`.
    /// - Parameter classCount: the required size (the four classes by default).
    /// - Throws: `CostMatrixError` naming the file and the fault: unreadable, not JSON, not an
    ///   array of number rows, wrong shape (found vs expected), negative or non-finite entry.
    public static func load(from url: URL, classCount: Int) throws -> CostMatrix {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CostMatrixError.unreadable(path: url.path, reason: FileReadFailure.reason(url, error))
        }
        guard let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw CostMatrixError.notJSON(path: url.path)
        }
        struct Wrapped: Decodable { let matrix: [[Double]] }
        let decoder = JSONDecoder()
        // Lets "NaN" and "Infinity" through decoding so that they are reported as non-finite.
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let values: [[Double]]
        do {
            values = json is [Any] ? try decoder.decode([[Double]].self, from: data)
                : try decoder.decode(Wrapped.self, from: data).matrix
        } catch {
            throw CostMatrixError.notAMatrix(path: url.path, reason: decodingFailureSummary(error))
        }
        guard values.count == classCount, values.allSatisfy({ $0.count == classCount }) else {
            throw CostMatrixError.wrongShape(path: url.path, found: shape(of: values),
                                             expected: "\(classCount)x\(classCount)")
        }
        try checkEntries(values, source: url.path)
        return CostMatrix(checked: values)
    }

    /// "3x4", or "3 rows of lengths 4, 4, 3" when the rows differ.
    private static func shape(of values: [[Double]]) -> String {
        let lengths = values.map(\.count)
        guard let first = lengths.first else { return "0x0" }
        if lengths.allSatisfy({ $0 == first }) { return "\(values.count)x\(first)" }
        return "\(values.count) rows of lengths \(lengths.map(String.init).joined(separator: ", "))"
    }

    /// The largest cost an entry may have: costs are relative, and larger ones are a slip (an
    /// extra digit, a pasted number) that would swamp every other error.
    public static let maximumCost = 1_000_000.0

    private static func checkEntries(_ values: [[Double]], source: String) throws {
        for (row, costs) in values.enumerated() {
            for (column, cost) in costs.enumerated() {
                guard cost.isFinite else {
                    throw CostMatrixError.nonFinite(path: source, row: row, column: column)
                }
                guard cost >= 0 else {
                    throw CostMatrixError.negative(path: source, row: row, column: column, value: cost)
                }
                guard cost <= maximumCost else {
                    throw CostMatrixError.tooLarge(path: source, row: row, column: column, value: cost)
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
