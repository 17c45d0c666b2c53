import Foundation

/// Everything that can go wrong in the classical-model layer; each case names the value or file at fault.
public enum ClassicMLError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A row of `init(rows:)` has a different length than row 0.
    case raggedRow(row: Int, expectedColumns: Int, foundColumns: Int)
    /// A flat value buffer does not hold `rowCount * columnCount` values.
    case valueCountMismatch(expected: Int, found: Int)
    /// A feature is NaN or infinite; the models cannot learn from or score such a row.
    case nonFiniteFeature(row: Int, column: Int, value: Float)
    /// A row index lies outside the matrix.
    case rowIndexOutOfRange(index: Int, rowCount: Int)
    /// A matrix has a different number of columns than the fitted standardizer or model expects.
    case columnCountMismatch(expected: Int, found: Int, context: String)
    /// An operation needs at least one row.
    case emptyMatrix(context: String)
    /// An operation needs at least one feature column.
    case noFeatureColumns(context: String)
    /// The number of labels differs from the number of feature rows.
    case labelCountMismatch(rows: Int, labels: Int)
    /// A label lies outside `0..<classCount`.
    case labelOutOfRange(row: Int, label: Int, classCount: Int)
    /// The class count is below 2.
    case invalidClassCount(Int)
    /// No training sample carries this class index.
    case classWithoutSamples(classIndex: Int)
    /// The class-weight vector has the wrong length or a non-positive / non-finite entry.
    case invalidClassWeights([Double], classCount: Int)
    /// A hyperparameter is out of its valid range.
    case invalidHyperparameter(name: String, value: String)
    /// libsvm rejected the problem or parameters (message from `svm_check_parameter`).
    case libsvmRejected(String)
    /// A model file is missing, unreadable or not a model of the expected kind.
    case unreadableModelFile(path: String, reason: String)
    /// A model file could not be written.
    case unwritableModelFile(path: String, reason: String)
    /// An XGBoost C-API call returned an error status (message from `XGBGetLastError`).
    case xgboostFailed(function: String, message: String)

    public var description: String {
        switch self {
        case let .raggedRow(row, expected, found):
            return "feature row \(row) has \(found) columns, but row 0 has \(expected)"
        case let .valueCountMismatch(expected, found):
            return "a feature matrix needs \(expected) values, got \(found)"
        case let .nonFiniteFeature(row, column, value):
            return "feature at row \(row), column \(column) is \(value); features must be finite"
        case let .rowIndexOutOfRange(index, rowCount):
            return "row index \(index) is outside a matrix of \(rowCount) rows"
        case let .columnCountMismatch(expected, found, context):
            return "\(context) expects \(expected) feature columns, got \(found)"
        case let .emptyMatrix(context):
            return "\(context) needs at least one feature row, got none"
        case let .noFeatureColumns(context):
            return "\(context) needs at least one feature column, got none"
        case let .labelCountMismatch(rows, labels):
            return "\(labels) labels given for \(rows) feature rows"
        case let .labelOutOfRange(row, label, classCount):
            return "label \(label) of row \(row) is outside 0..<\(classCount)"
        case let .invalidClassCount(count):
            return "class count \(count) is invalid; at least 2 classes are needed"
        case let .classWithoutSamples(classIndex):
            return "class \(classIndex) has no training sample"
        case let .invalidClassWeights(weights, classCount):
            return "class weights \(weights) are invalid for \(classCount) classes (need \(classCount) finite positive values)"
        case let .invalidHyperparameter(name, value):
            return "hyperparameter \(name) = \(value) is out of range"
        case let .libsvmRejected(message):
            return "libsvm rejected the training problem: \(message)"
        case let .unreadableModelFile(path, reason):
            return "cannot load model file \(path): \(reason)"
        case let .unwritableModelFile(path, reason):
            return "cannot write model file \(path): \(reason)"
        case let .xgboostFailed(function, message):
            return "XGBoost \(function) failed: \(message)"
        }
    }

    public var errorDescription: String? { description }
}
