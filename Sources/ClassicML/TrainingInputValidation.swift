/// Checks shared by every classifier's training entry point: at least one row and column, one label per row,
/// labels in `0..<classCount`, every class present, and one finite positive weight per class.
func validateTrainingInput(features: FeatureMatrix, labels: [Int], classCount: Int, classWeights: [Double]) throws {
    guard features.rowCount > 0 else { throw ClassicMLError.emptyMatrix(context: "training a classifier") }
    guard features.columnCount > 0 else { throw ClassicMLError.noFeatureColumns(context: "training a classifier") }
    guard labels.count == features.rowCount else {
        throw ClassicMLError.labelCountMismatch(rows: features.rowCount, labels: labels.count)
    }
    _ = try classSampleCounts(labels: labels, classCount: classCount, requireEveryClass: true)
    guard classWeights.count == classCount, classWeights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw ClassicMLError.invalidClassWeights(classWeights, classCount: classCount)
    }
}

/// Checks a labelled evaluation set (validation rows): one label per row, labels in range, same columns.
func validateEvaluationInput(features: FeatureMatrix, labels: [Int], classCount: Int, columnCount: Int) throws {
    guard features.rowCount > 0 else { throw ClassicMLError.emptyMatrix(context: "the validation set") }
    guard labels.count == features.rowCount else {
        throw ClassicMLError.labelCountMismatch(rows: features.rowCount, labels: labels.count)
    }
    guard features.columnCount == columnCount else {
        throw ClassicMLError.columnCountMismatch(expected: columnCount, found: features.columnCount,
                                                 context: "the validation set")
    }
    _ = try classSampleCounts(labels: labels, classCount: classCount, requireEveryClass: false)
}
