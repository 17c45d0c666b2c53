import Randomness

extension FoldAssignment {
    /// The parts for the model of fold `testFold`: its items are the test part, and the items of the
    /// other folds are split into train and validation (for choosing the model), stratified and grouped.
    ///
    /// `labels`, `classCount` and `groups` are those the folds were made with; `parts[i]` is the part of
    /// item i. Rule: the groups outside the test fold are placed by the rule of `FoldAssignment` with two
    /// bins of shares 1 − v (train) and v (validation): per class in index order, shuffled with
    /// `SeededGenerator(seed).derived(0x5641_4C49_4400_0000 + testFold).derived(classIndex)` (streams apart
    /// from `make`'s, so reusing its seed does not reuse its orders), largest group first, each to the
    /// part with the largest `Σ_c m_c · deficit_c / n_c²`; for a single-class group, the part with the
    /// largest deficit `share · r_c − count_c` as in `DatasetSplit`; ties → the part further below its
    /// share of all items, then train.
    ///
    /// Guarantees, with r_c the items of class c outside the test fold, g_c the largest group among them
    /// holding only class c and M_c their items of class c in groups holding several classes:
    /// - the test part is exactly `items(in: testFold)`, and no group has items in two parts;
    /// - the validation count of class c differs from v · r_c by at most g_c / 2 + M_c (the two deficits
    ///   sum to the items still to place, so a single-class group of m goes to a part whose deficit is at
    ///   least m / 2 and leaves it at least −m / 2; both end summing to 0, up to the rounding of the
    ///   shares). With groups of one item it is v · r_c rounded (either way at a half), so it can be 0
    ///   for a rare class or a small fold: a caller that needs every class in validation checks that.
    /// - Throws: `FoldAssignmentError` for a test fold outside 0..<foldCount, a fraction outside (0, 1),
    ///   labels whose count differs from the assignment's, labels outside 0..<classCount, groups that do
    ///   not partition the items, or a group whose items lie in different folds.
    public func trainValidationTest(testFold: Int, labels: [Int], classCount: Int, groups: [[Int]],
                                    validationFraction: Double, seed: UInt64) throws -> [DatasetPart] {
        guard (0..<foldCount).contains(testFold) else {
            throw FoldAssignmentError.testFoldOutOfRange(testFold, foldCount: foldCount)
        }
        guard validationFraction > 0, validationFraction < 1 else {
            throw FoldAssignmentError.invalidValidationFraction(validationFraction)
        }
        guard labels.count == folds.count else {
            throw FoldAssignmentError.labelCountMismatch(labels: labels.count, items: folds.count)
        }
        try Self.validate(labels: labels, classCount: classCount, groups: groups)
        for (index, group) in groups.enumerated() {
            let groupFolds = Set(group.map { folds[$0] })
            if groupFolds.count > 1 { throw FoldAssignmentError.groupSpansFolds(group: index, folds: groupFolds.sorted()) }
        }

        let remaining = groups.filter { folds[$0[0]] != testFold }
        let bins = StratifiedGroupPlacement.bins(
            groups: remaining, labels: labels, classCount: classCount,
            weights: [1 - validationFraction, validationFraction],
            root: SeededGenerator(seed: seed).derived(0x5641_4C49_4400_0000 &+ UInt64(testFold)))
        var parts = folds.map { $0 == testFold ? DatasetPart.test : .train }
        for (group, bin) in zip(remaining, bins) where bin == 1 {
            for item in group { parts[item] = .validation }
        }
        return parts
    }
}
