import ToolkitSupport
/// Why a split cannot be made.
public enum SplitError: DescribedError, Equatable {
    case invalidFractions(train: Double, validation: Double, test: Double)
    case invalidGroupRuns(Int)
    case noImages

    public var description: String {
        switch self {
        case let .invalidFractions(train, validation, test):
            return "split fractions train \(train), validation \(validation), test \(test) must each lie in [0, 1] and sum to 1"
        case let .invalidGroupRuns(runs):
            return "run length for grouping must be at least 1, found \(runs)"
        case .noImages:
            return "cannot split a folder without images"
        }
    }
}
