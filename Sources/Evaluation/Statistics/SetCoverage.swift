/// How prediction sets (from a `ConformalPredictor`) fare against the true labels: the empirical
/// coverage (the fraction of sets holding the true class), per class as well, and the set sizes.
///
/// JSON keys: `sample_count`, `coverage`, `class_coverage`, `mean_set_size`, `set_size_counts`.
public struct SetCoverage: Codable, Equatable, Sendable {
    public let sampleCount: Int
    /// The fraction of images whose set contains their true class.
    public let coverage: Double
    /// `classCoverage[c]`: the coverage among images of class c; nil for a class without images.
    public let classCoverage: [Double?]
    /// The mean number of classes per set.
    public let meanSetSize: Double
    /// `setSizeCounts[s]`: the number of sets with s classes, s = 0...k.
    public let setSizeCounts: [Int]

    /// The coverage of `sets` (class indices per image) against `labels`, for `classCount` classes.
    /// - Throws: `MetricsError` for no images, mismatched counts, or labels or set members outside
    ///   0..<classCount.
    public init(sets: [[Int]], labels: [Int], classCount: Int) throws {
        guard !sets.isEmpty else { throw MetricsError.empty }
        guard labels.count == sets.count else {
            throw MetricsError.countMismatch(what: "labels", found: labels.count, expected: sets.count)
        }
        var covered = [Int](repeating: 0, count: classCount), support = [Int](repeating: 0, count: classCount)
        var sizeCounts = [Int](repeating: 0, count: classCount + 1)
        for (index, (set, label)) in zip(sets, labels).enumerated() {
            for value in set + [label] where !(0..<classCount).contains(value) {
                throw MetricsError.labelOutOfRange(sample: index, label: value, classCount: classCount)
            }
            support[label] += 1
            if set.contains(label) { covered[label] += 1 }
            sizeCounts[min(Set(set).count, classCount)] += 1
        }
        let n = Double(sets.count)
        sampleCount = sets.count
        coverage = Double(covered.reduce(0, +)) / n
        classCoverage = zip(covered, support).map { $1 > 0 ? Double($0) / Double($1) : nil }
        setSizeCounts = sizeCounts
        meanSetSize = sizeCounts.enumerated().reduce(0) { $0 + Double($1.offset * $1.element) } / n
    }

    private enum CodingKeys: String, CodingKey {
        case sampleCount = "sample_count", coverage, classCoverage = "class_coverage"
        case meanSetSize = "mean_set_size", setSizeCounts = "set_size_counts"
    }
}
