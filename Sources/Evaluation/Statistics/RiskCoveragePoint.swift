/// One operating point of selective classification: the images whose top-class confidence is at
/// least `threshold` are decided (assigned their most probable class), the others referred to a
/// person.
public struct RiskCoveragePoint: Codable, Equatable, Sendable {
    /// The smallest top-class probability among the decided images.
    public let threshold: Double
    /// The number of decided images.
    public let decidedCount: Int
    /// `decidedCount / n`, in (0, 1].
    public let coverage: Double
    /// The fraction of decided images whose most probable class is the true one.
    public let accuracy: Double
    /// The mean misclassification cost `C[true][decided]` over the decided images.
    public let meanCost: Double

    public init(threshold: Double, decidedCount: Int, coverage: Double, accuracy: Double, meanCost: Double) {
        self.threshold = threshold
        self.decidedCount = decidedCount
        self.coverage = coverage
        self.accuracy = accuracy
        self.meanCost = meanCost
    }

    private enum CodingKeys: String, CodingKey {
        case threshold, decidedCount = "decided_count", coverage, accuracy, meanCost = "mean_cost"
    }
}
