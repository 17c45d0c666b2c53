/// Per-column standardization `(x - mean) / standardDeviation`, fitted on the training rows only
/// and then applied unchanged to validation, test and prediction rows.
public struct FeatureStandardizer: Codable, Sendable, Equatable {
    /// The mean of each column over the fitted rows.
    public let means: [Float]
    /// The divisor of each column: its population standard deviation over the fitted rows,
    /// or 1 for a column that is constant there (so it maps to 0 instead of NaN).
    public let standardDeviations: [Float]

    /// Fits means and standard deviations on `training` (which must have at least one row).
    public init(fitting training: FeatureMatrix) throws {
        guard training.rowCount > 0 else { throw ClassicMLError.emptyMatrix(context: "fitting a standardizer") }
        let columns = training.columnCount
        var sums = [Double](repeating: 0, count: columns)
        var minima = [Float](repeating: .infinity, count: columns)
        var maxima = [Float](repeating: -.infinity, count: columns)
        training.values.withUnsafeBufferPointer { values in
            for row in 0..<training.rowCount {
                let base = row * columns
                for column in 0..<columns {
                    let value = values[base + column]
                    sums[column] += Double(value)
                    minima[column] = min(minima[column], value)
                    maxima[column] = max(maxima[column], value)
                }
            }
        }
        let count = Double(training.rowCount)
        let means = sums.map { $0 / count }
        var squaredDeviations = [Double](repeating: 0, count: columns)
        training.values.withUnsafeBufferPointer { values in
            for row in 0..<training.rowCount {
                let base = row * columns
                for column in 0..<columns {
                    let deviation = Double(values[base + column]) - means[column]
                    squaredDeviations[column] += deviation * deviation
                }
            }
        }
        self.means = means.map { Float($0) }
        self.standardDeviations = (0..<columns).map { column in
            let deviation = Float((squaredDeviations[column] / count).squareRoot())
            return minima[column] == maxima[column] || !deviation.isNormal ? 1 : deviation
        }
    }

    private enum CodingKeys: String, CodingKey { case means, standardDeviations = "standard_deviations" }

    /// Decodes a saved standardizer, rejecting mismatched lengths and non-positive deviations.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        means = try container.decode([Float].self, forKey: .means)
        standardDeviations = try container.decode([Float].self, forKey: .standardDeviations)
        guard means.count == standardDeviations.count, means.allSatisfy(\.isFinite),
              standardDeviations.allSatisfy({ $0.isNormal && $0 > 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "a standardizer needs as many finite means as positive standard deviations"))
        }
    }

    /// `matrix` standardized column by column; its column count must match the fitted one,
    /// and a result that overflows Float is an error naming the row and column.
    public func transform(_ matrix: FeatureMatrix) throws -> FeatureMatrix {
        guard matrix.columnCount == means.count else {
            throw ClassicMLError.columnCountMismatch(expected: means.count, found: matrix.columnCount,
                                                     context: "the feature standardizer")
        }
        let columns = matrix.columnCount
        var result = [Float](repeating: 0, count: matrix.values.count)
        result.withUnsafeMutableBufferPointer { output in
            matrix.values.withUnsafeBufferPointer { input in
                means.withUnsafeBufferPointer { means in
                    standardDeviations.withUnsafeBufferPointer { deviations in
                        for row in 0..<matrix.rowCount {
                            let base = row * columns
                            for column in 0..<columns {
                                output[base + column] = (input[base + column] - means[column]) / deviations[column]
                            }
                        }
                    }
                }
            }
        }
        // A value far outside the fitted range over a tiny deviation can overflow to infinity.
        return try FeatureMatrix(rowCount: matrix.rowCount, columnCount: columns, values: result)
    }
}
