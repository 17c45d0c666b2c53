import ToolkitSupport

/// Why folds, or a fold's train/validation/test parts, cannot be made.
public enum FoldAssignmentError: DescribedError, Equatable {
    /// Fewer than two folds were asked for.
    case tooFewFolds(Int)
    /// More folds than groups: some fold would hold no item.
    case tooManyFolds(folds: Int, groups: Int, items: Int)
    /// An item's class index lies outside 0..<classCount.
    case labelOutOfRange(item: Int, label: Int, classCount: Int)
    /// A group names an item outside 0..<itemCount.
    case itemOutOfRange(group: Int, item: Int, itemCount: Int)
    /// A group without items.
    case emptyGroup(Int)
    /// An item named by two groups (or twice by one).
    case itemInSeveralGroups(item: Int, first: Int, second: Int)
    /// An item that no group names.
    case itemInNoGroup(Int)
    /// The labels given for the parts of a fold do not match the assignment's items.
    case labelCountMismatch(labels: Int, items: Int)
    /// A group whose items the assignment put in different folds.
    case groupSpansFolds(group: Int, folds: [Int])
    /// A test fold outside 0..<foldCount.
    case testFoldOutOfRange(Int, foldCount: Int)
    /// A validation fraction outside (0, 1).
    case invalidValidationFraction(Double)

    public var description: String {
        switch self {
        case let .tooFewFolds(folds):
            return "k-fold cross-validation needs at least 2 folds, found \(folds)"
        case let .tooManyFolds(folds, groups, items):
            return "cannot make \(folds) folds from \(groups) groups (\(items) items): every fold needs at least one group"
        case let .labelOutOfRange(item, label, classCount):
            return "item \(item) has class index \(label), outside 0..<\(classCount)"
        case let .itemOutOfRange(group, item, itemCount):
            return "group \(group) names item \(item), outside 0..<\(itemCount)"
        case let .emptyGroup(group):
            return "group \(group) is empty: groups must partition the items"
        case let .itemInSeveralGroups(item, first, second):
            let place = first == second ? "twice in group \(first)" : "in groups \(first) and \(second)"
            return "item \(item) is \(place): groups must partition the items"
        case let .itemInNoGroup(item):
            return "item \(item) is in no group: groups must partition the items"
        case let .labelCountMismatch(labels, items):
            return "\(labels) class labels given for a fold assignment of \(items) items"
        case let .groupSpansFolds(group, folds):
            let listed = folds.map(String.init).joined(separator: ", ")
            return "group \(group) spans folds \(listed): pass the groups the folds were made with"
        case let .testFoldOutOfRange(fold, foldCount):
            return "test fold \(fold) is outside 0..<\(foldCount)"
        case let .invalidValidationFraction(fraction):
            return "validation fraction must lie strictly between 0 and 1, found \(fraction)"
        }
    }
}
