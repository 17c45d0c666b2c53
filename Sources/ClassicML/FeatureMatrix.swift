/// A dense matrix of feature rows (one row per sample), stored contiguously in row-major order.
///
/// Every value is finite: the initializers reject NaN and infinities, which neither libsvm
/// nor the standardizer can handle.
public struct FeatureMatrix: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    /// Row-major values: feature `column` of row `row` is `values[row * columnCount + column]`.
    public private(set) var values: [Float]

    /// A matrix from equally long rows; a ragged row or a non-finite value is an error naming it.
    public init(rows: [[Float]]) throws {
        let columnCount = rows.first?.count ?? 0
        var values: [Float] = []
        values.reserveCapacity(rows.count * columnCount)
        for (index, row) in rows.enumerated() {
            guard row.count == columnCount else {
                throw ClassicMLError.raggedRow(row: index, expectedColumns: columnCount, foundColumns: row.count)
            }
            values.append(contentsOf: row)
        }
        try self.init(rowCount: rows.count, columnCount: columnCount, values: values)
    }

    /// A matrix over row-major `values`, which must hold exactly `rowCount * columnCount` finite values.
    public init(rowCount: Int, columnCount: Int, values: [Float]) throws {
        guard rowCount >= 0, columnCount >= 0, rowCount.multipliedReportingOverflow(by: columnCount).partialValue == values.count else {
            throw ClassicMLError.valueCountMismatch(expected: max(rowCount, 0) * max(columnCount, 0), found: values.count)
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ClassicMLError.nonFiniteFeature(row: bad / columnCount, column: bad % columnCount, value: values[bad])
        }
        self.init(validatedRowCount: rowCount, columnCount: columnCount, values: values)
    }

    /// For results computed from already validated matrices.
    init(validatedRowCount rowCount: Int, columnCount: Int, values: [Float]) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values
    }

    /// The features of one row (a view into `values`, no copy).
    public subscript(row row: Int) -> ArraySlice<Float> {
        values[row * columnCount ..< (row + 1) * columnCount]
    }

    /// One feature value.
    public subscript(row row: Int, column column: Int) -> Float {
        values[row * columnCount + column]
    }

    /// The matrix of the given rows, in the given order (for splits and folds).
    public func selectingRows(_ indices: [Int]) throws -> FeatureMatrix {
        var selected: [Float] = []
        selected.reserveCapacity(indices.count * columnCount)
        for index in indices {
            guard (0..<rowCount).contains(index) else {
                throw ClassicMLError.rowIndexOutOfRange(index: index, rowCount: rowCount)
            }
            selected.append(contentsOf: self[row: index])
        }
        return FeatureMatrix(validatedRowCount: indices.count, columnCount: columnCount, values: selected)
    }
}
