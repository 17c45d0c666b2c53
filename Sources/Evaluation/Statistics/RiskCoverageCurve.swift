/// The risk–coverage curve of selective classification (El-Yaniv & Wiener 2010; Geifman &
/// El-Yaniv 2017, "Selective classification for deep neural networks"): the confidence of an
/// image is its top-class probability, its decision the arg-max (the first on ties); referring
/// the least confident images to a person trades coverage for the accuracy and cost of the
/// images still decided.
///
/// There is one point per distinct confidence value t, deciding every image with confidence ≥ t
/// (tied images are decided or referred together, so the curve does not depend on their order),
/// ordered by decreasing coverage: the first point decides every image.
public struct RiskCoverageCurve: Codable, Equatable, Sendable {
    public let sampleCount: Int
    /// The operating points, coverage decreasing from 1.
    public let points: [RiskCoveragePoint]

    /// The curve of `probabilities` (`[image][class]`) against `labels`, costs from `cost`.
    /// - Throws: `MetricsError` for empty or mismatched input, non-finite probabilities, labels
    ///   outside 0..<k, or a cost matrix for another class count.
    public init(probabilities: [[Double]], labels: [Int], cost: CostMatrix) throws {
        let k = try MetricsError.checkRows(probabilities, labels: labels)
        guard cost.classCount == k else {
            throw MetricsError.countMismatch(what: "cost matrix classes", found: cost.classCount, expected: k)
        }
        let decisions = probabilities.map(ClassificationMetrics.argMax)
        let confidences = zip(probabilities, decisions).map { $0[$1] }
        let order = confidences.indices.sorted { confidences[$0] > confidences[$1] }
        let n = probabilities.count
        var decided: [RiskCoveragePoint] = []
        var correct = 0, totalCost = 0.0
        for (rank, image) in order.enumerated() {
            if decisions[image] == labels[image] { correct += 1 }
            totalCost += cost.values[labels[image]][decisions[image]]
            let count = rank + 1
            // A point once every image of this confidence is counted.
            guard count == n || confidences[order[count]] < confidences[image] else { continue }
            decided.append(RiskCoveragePoint(threshold: confidences[image], decidedCount: count,
                                             coverage: Double(count) / Double(n),
                                             accuracy: Double(correct) / Double(count), meanCost: totalCost / Double(count)))
        }
        sampleCount = n
        points = decided.reversed()
    }

    /// The point that decides the images with confidence at least `threshold` and refers those
    /// below it; nil when every image would be referred.
    public func operatingPoint(referringBelow threshold: Double) -> RiskCoveragePoint? {
        points.first { $0.threshold >= threshold }
    }

    /// Each image's decision, its most probable class, or nil when its top-class probability is
    /// below `threshold` and the image is referred to a person.
    public static func decisions(probabilities: [[Double]], referringBelow threshold: Double) -> [Int?] {
        probabilities.map { row in
            let decision = ClassificationMetrics.argMax(row)
            return row[decision] >= threshold ? decision : nil
        }
    }

    private enum CodingKeys: String, CodingKey {
        case sampleCount = "sample_count", points
    }
}
