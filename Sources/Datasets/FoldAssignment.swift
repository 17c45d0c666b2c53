import Randomness

/// Assigns every item to one of `foldCount` folds, stratified by class and grouped: the k-fold
/// analogue of `DatasetSplit` (and of scikit-learn's `StratifiedGroupKFold` with shuffling). It works
/// on class indices and groups only, so any label type (and `DatasetSplit.groups`) can feed it.
///
/// Rule (shared with `trainValidationTest` through `StratifiedGroupPlacement`): classes are taken in
/// index order, each with the groups it owns (a group is owned by the class most of its items have,
/// ties → the smaller index). A class's groups are shuffled with `SeededGenerator(seed).derived(classIndex)`
/// and stably sorted by size, largest first; each then goes whole to the fold with the largest
/// `Σ_c m_c · (n_c / K − count_c(fold)) / n_c²` (m_c its items of class c, n_c all items of class c) —
/// the fold where it least increases the spread of class proportions across folds; for a group of one
/// class c that is the fold with the fewest items of c. Ties go to the fold with the fewest items, then
/// the lowest index. Unlike scikit-learn, which orders all groups by the spread of their class
/// distribution, classes are taken one after another: that is what makes the fold sizes provable below.
///
/// Guarantees, with K folds, n items, n_c items of class c, g_c the largest group holding only class c
/// (0 if none) and M_c the items of class c in groups that hold several classes:
/// - every group lies whole in one fold, and no fold is empty (`make` refuses fewer groups than folds);
/// - each fold's count of class c differs from n_c / K by at most g_c + M_c: a single-class group goes to
///   a fold with the fewest items of c, so after its last such group a fold holds at most the final
///   minimum + g_c, and mixed groups add at most M_c. With groups of one item: ⌊n_c / K⌋ or ⌈n_c / K⌉.
///   A class with fewer groups than folds is allowed and leaves some folds without that class;
/// - with groups of one item, each fold holds ⌊n / K⌋ or ⌈n / K⌉ items (a class's last, partial round
///   goes to the smallest folds); otherwise each fold size differs from n / K by at most Σ_c (g_c + M_c);
/// - the same inputs and seed give the same folds; the seed decides the order of equal-size groups.
public struct FoldAssignment: Sendable, Equatable {
    /// The number of folds, K ≥ 2.
    public let foldCount: Int
    /// `folds[i]` is the fold (0..<foldCount) of item i.
    public let folds: [Int]

    /// Folds for items with `labels[i]` in 0..<classCount, as described in the type documentation.
    /// `groups` partitions 0..<labels.count (every item in exactly one non-empty group); each group
    /// goes whole to one fold.
    /// - Throws: `FoldAssignmentError` for `foldCount` < 2, a label outside 0..<classCount, groups that
    ///   do not partition the items, or more folds than groups (so also more folds than items).
    public static func make(labels: [Int], classCount: Int, groups: [[Int]], foldCount: Int,
                            seed: UInt64) throws -> FoldAssignment {
        guard foldCount >= 2 else { throw FoldAssignmentError.tooFewFolds(foldCount) }
        try validate(labels: labels, classCount: classCount, groups: groups)
        guard foldCount <= groups.count else {
            throw FoldAssignmentError.tooManyFolds(folds: foldCount, groups: groups.count, items: labels.count)
        }
        let groupFolds = StratifiedGroupPlacement.bins(
            groups: groups, labels: labels, classCount: classCount,
            weights: [Double](repeating: 1 / Double(foldCount), count: foldCount),
            root: SeededGenerator(seed: seed))
        var folds = [Int](repeating: 0, count: labels.count)
        for (group, fold) in zip(groups, groupFolds) {
            for item in group { folds[item] = fold }
        }
        return FoldAssignment(foldCount: foldCount, folds: folds)
    }

    /// The items of `fold`, ascending (empty for a fold outside 0..<foldCount).
    public func items(in fold: Int) -> [Int] {
        folds.indices.filter { folds[$0] == fold }
    }

    /// Throws unless every label lies in 0..<classCount and `groups` partitions 0..<labels.count.
    static func validate(labels: [Int], classCount: Int, groups: [[Int]]) throws {
        if let item = labels.indices.first(where: { !(0..<max(classCount, 0)).contains(labels[$0]) }) {
            throw FoldAssignmentError.labelOutOfRange(item: item, label: labels[item], classCount: classCount)
        }
        var groupOfItem = [Int?](repeating: nil, count: labels.count)
        for (index, group) in groups.enumerated() {
            guard !group.isEmpty else { throw FoldAssignmentError.emptyGroup(index) }
            for item in group {
                guard groupOfItem.indices.contains(item) else {
                    throw FoldAssignmentError.itemOutOfRange(group: index, item: item, itemCount: labels.count)
                }
                if let first = groupOfItem[item] {
                    throw FoldAssignmentError.itemInSeveralGroups(item: item, first: first, second: index)
                }
                groupOfItem[item] = index
            }
        }
        if let item = groupOfItem.firstIndex(where: { $0 == nil }) {
            throw FoldAssignmentError.itemInNoGroup(item)
        }
    }
}
