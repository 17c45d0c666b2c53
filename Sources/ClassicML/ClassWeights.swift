/// Balanced class weights `n / (k · n_c)`: the weight of class `c` for `n` labels over `k` classes,
/// `n_c` of which carry class `c`, so that every class contributes the same total weight.
///
/// Throws if `classCount < 2`, a label is outside `0..<classCount`, or a class has no sample.
public func balancedClassWeights(labels: [Int], classCount: Int) throws -> [Double] {
    let counts = try classSampleCounts(labels: labels, classCount: classCount, requireEveryClass: true)
    let total = Double(labels.count)
    return counts.map { total / (Double(classCount) * Double($0)) }
}

/// The number of labels of each class; labels must lie in `0..<classCount`, and with
/// `requireEveryClass` a class without any label is an error naming it.
func classSampleCounts(labels: [Int], classCount: Int, requireEveryClass: Bool) throws -> [Int] {
    guard classCount >= 2 else { throw ClassicMLError.invalidClassCount(classCount) }
    var counts = [Int](repeating: 0, count: classCount)
    for (row, label) in labels.enumerated() {
        guard (0..<classCount).contains(label) else {
            throw ClassicMLError.labelOutOfRange(row: row, label: label, classCount: classCount)
        }
        counts[label] += 1
    }
    if requireEveryClass, let empty = counts.firstIndex(of: 0) {
        throw ClassicMLError.classWithoutSamples(classIndex: empty)
    }
    return counts
}
