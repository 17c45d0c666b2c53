import ToolkitSupport
/// Why a cost matrix cannot be loaded or used.
///
/// `path` names the file (or the `source` given to `CostMatrix(values:source:)`); `row` and
/// `column` name an entry's true and predicted class, by name when the classes are known, else by
/// index; `line` is a 1-based line of a CSV file.
public enum CostMatrixError: DescribedError, Equatable {
    case unreadable(path: String, reason: String)
    case notJSON(path: String)
    case notCSV(path: String, reason: String)
    case notAMatrix(path: String, reason: String)
    case wrongShape(path: String, found: String, expected: String)
    case csvRowLength(path: String, line: Int, className: String, found: Int, expected: Int)
    case notANumber(path: String, line: Int, row: String, column: String, text: String)
    /// The names in `part` of the file ("its header row") are not the run's classes `expected`.
    case classMismatch(path: String, part: String, missing: [String], unknown: [String], expected: [String])
    case duplicateClass(path: String, className: String, part: String)
    case nonZeroDiagonal(path: String, className: String, value: Double)
    case negative(path: String, row: String, column: String, value: Double)
    /// `value` is the entry as Swift prints it ("nan", "inf", "-inf").
    case nonFinite(path: String, row: String, column: String, value: String)
    case tooLarge(path: String, row: String, column: String, value: Double)
    case probabilityCount(found: Int, expected: Int)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read cost matrix \(path): \(reason)"
        case let .notJSON(path):
            return "cost matrix \(path) starts like JSON but is not valid JSON"
        case let .notCSV(path, reason):
            return "cost matrix \(path) is neither JSON nor a CSV table with a header row: \(reason)"
        case let .notAMatrix(path, reason):
            return "cost matrix \(path) is not an array of number rows, {\"matrix\": [[...]]} or an object of"
                + " objects keyed by class names: \(reason)"
        case let .wrongShape(path, found, expected):
            return "cost matrix \(path) has shape \(found), expected \(expected)"
        case let .csvRowLength(path, line, className, found, expected):
            return "cost matrix \(path): line \(line) (row \(className)) has \(found) costs, expected \(expected),"
                + " one per class of the header row"
        case let .notANumber(path, line, row, column, text):
            return "cost matrix \(path): line \(line), row \(row), column \(column) holds \"\(text)\", not a number"
        case let .classMismatch(path, part, missing, unknown, expected):
            func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }
            return "cost matrix \(path) does not name the run's classes in \(part): missing \(list(missing));"
                + " unknown \(list(unknown.map { "\"\($0)\"" })); the run's classes are \(list(expected))"
        case let .duplicateClass(path, className, part):
            return "cost matrix \(path) names class \(className) twice in \(part) (names match ignoring case)"
        case let .nonZeroDiagonal(path, className, value):
            return "cost matrix \(path) has cost \(value) at row \(className), column \(className);"
                + " the diagonal (a correct prediction) must cost 0"
        case let .negative(path, row, column, value):
            return "cost matrix \(path) has a negative cost \(value) at row \(row), column \(column)"
        case let .nonFinite(path, row, column, value):
            return "cost matrix \(path) has a non-finite cost \(value) at row \(row), column \(column)"
        case let .tooLarge(path, row, column, value):
            return "cost matrix \(path) has a cost \(value) at row \(row), column \(column); costs are at most \(Int(CostMatrix.maximumCost))"
        case let .probabilityCount(found, expected):
            return "expected costs need \(expected) class probabilities, found \(found)"
        }
    }
}
