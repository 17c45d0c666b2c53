import ToolkitSupport
/// Why a split cannot be made.
public enum SplitError: DescribedError, Equatable {
    case invalidFractions(train: Double, validation: Double, test: Double)
    case invalidGroupRuns(Int)
    case noImages
    /// A part a training needs would hold no image; `counts` are the images per part.
    case emptyPart(DatasetPart, counts: [DatasetPart: Int])

    public var description: String {
        switch self {
        case let .invalidFractions(train, validation, test):
            return "split fractions train \(train), validation \(validation), test \(test) must each lie in [0, 1] and sum to 1"
        case let .invalidGroupRuns(runs):
            return "run length for grouping must be at least 1, found \(runs)"
        case .noImages:
            return "cannot split a folder without images"
        case let .emptyPart(part, counts):
            let listed = DatasetPart.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
            return "the \(part.rawValue) part would hold no image (\(listed)): training needs a validation part to choose "
                + "the model and a test part to score it; change --fractions or add images"
        }
    }
}
