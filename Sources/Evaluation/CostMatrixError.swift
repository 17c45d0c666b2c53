import ToolkitSupport
/// Why a cost matrix cannot be loaded or used.
public enum CostMatrixError: DescribedError, Equatable {
    case unreadable(path: String, reason: String)
    case notJSON(path: String)
    case notAMatrix(path: String, reason: String)
    case wrongShape(path: String, found: String, expected: String)
    case negative(path: String, row: Int, column: Int, value: Double)
    case nonFinite(path: String, row: Int, column: Int)
    case tooLarge(path: String, row: Int, column: Int, value: Double)
    case probabilityCount(found: Int, expected: Int)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read cost matrix \(path): \(reason)"
        case let .notJSON(path):
            return "cost matrix \(path) is not valid JSON"
        case let .notAMatrix(path, reason):
            return "cost matrix \(path) is not an array of number rows or {\"matrix\": [[...]]}: \(reason)"
        case let .wrongShape(path, found, expected):
            return "cost matrix \(path) has shape \(found), expected \(expected)"
        case let .negative(path, row, column, value):
            return "cost matrix \(path) has a negative cost \(value) at row \(row), column \(column)"
        case let .nonFinite(path, row, column):
            return "cost matrix \(path) has a non-finite cost at row \(row), column \(column)"
        case let .tooLarge(path, row, column, value):
            return "cost matrix \(path) has a cost \(value) at row \(row), column \(column); costs are at most \(Int(CostMatrix.maximumCost))"
        case let .probabilityCount(found, expected):
            return "expected costs need \(expected) class probabilities, found \(found)"
        }
    }
}
