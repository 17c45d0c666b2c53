import CLibSVM

/// The rows of a feature matrix in libsvm's node format, in one contiguous allocation:
/// each row is `columnCount` nodes with 1-based indices followed by a terminator of index -1.
///
/// All features are stored, including zeros, so a saved model lists every column of each
/// support vector and its column count can be recovered on load.
final class LibSVMDenseRows {
    let rowCount: Int
    let columnCount: Int
    private let nodes: UnsafeMutablePointer<svm_node>

    init(_ matrix: FeatureMatrix) {
        rowCount = matrix.rowCount
        columnCount = matrix.columnCount
        let stride = matrix.columnCount + 1
        nodes = .allocate(capacity: max(matrix.rowCount * stride, 1))
        matrix.values.withUnsafeBufferPointer { values in
            for row in 0..<matrix.rowCount {
                let rowNodes = nodes + row * stride
                for column in 0..<matrix.columnCount {
                    rowNodes[column] = svm_node(index: Int32(column + 1), value: Double(values[row * matrix.columnCount + column]))
                }
                rowNodes[matrix.columnCount] = svm_node(index: -1, value: 0)
            }
        }
    }

    /// The terminated node list of `row`; valid while this object is alive.
    func row(_ row: Int) -> UnsafeMutablePointer<svm_node> {
        nodes + row * (columnCount + 1)
    }

    deinit { nodes.deallocate() }
}
