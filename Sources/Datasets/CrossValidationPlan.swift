/// The K splits of a stratified, grouped K-fold cross-validation of a data folder: in split i,
/// fold i is the test part and the other folds are divided into train and validation parts by
/// the same rule (`FoldAssignment`), so every image is tested exactly once, by a model that did
/// not see it in training or in model selection.
///
/// Groups are those of `DatasetSplit`: identical files, the dataset's groups file, and with
/// `groupRuns` runs of consecutive file numbers; no group is in two folds or two parts.
public enum CrossValidationPlan {
    /// The split manifests of the K folds, fold 1 first.
    /// - Parameters:
    ///   - validationFraction: the share of the other folds' images that selects the model (0.2 / 0.84
    ///     for the study's 64 / 20 / 16 proportions).
    /// - Throws: `FoldAssignmentError` for fewer than 2 folds or more folds than groups;
    ///   `SplitError` for a folder without images.
    public static func manifests(for folder: ImageFolder, foldCount: Int, seed: UInt64, groupRuns: Int?,
                                 validationFraction: Double) throws -> [SplitManifest] {
        let images = folder.images
        guard !images.isEmpty else { throw SplitError.noImages }
        if let runs = groupRuns, runs < 1 { throw SplitError.invalidGroupRuns(runs) }
        let groups = DatasetSplit.makeGroups(images, runLength: groupRuns, groupOf: folder.description.groups)
        let labels = images.map(\.label)
        let assignment = try FoldAssignment.make(labels: labels, classCount: folder.classes.count, groups: groups,
                                                 foldCount: foldCount, seed: seed)
        let testFraction = 1 / Double(foldCount)
        return try (0..<foldCount).map { fold in
            let parts = try assignment.trainValidationTest(testFold: fold, labels: labels, classCount: folder.classes.count,
                                                           groups: groups, validationFraction: validationFraction, seed: seed)
            let configuration = SplitConfiguration(
                trainFraction: (1 - testFraction) * (1 - validationFraction), validationFraction: (1 - testFraction) * validationFraction,
                testFraction: testFraction, seed: seed, groupRuns: groupRuns, fold: fold + 1, foldCount: foldCount)
            return SplitManifest(configuration: configuration, entries: zip(images, parts).map { image, part in
                SplitManifest.Entry(path: image.relativePath, label: folder.classes.names[image.label],
                                    contentHash: image.contentHash, part: part)
            })
        }
    }
}
