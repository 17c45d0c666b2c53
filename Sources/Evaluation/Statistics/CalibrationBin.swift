/// One bin of a reliability diagram: the images whose top-class confidence lies in
/// `(lowerEdge, upperEdge]` (the first bin also takes a confidence of exactly 0).
public struct CalibrationBin: Codable, Equatable, Sendable {
    public let lowerEdge: Double
    public let upperEdge: Double
    /// The number of images in the bin.
    public let count: Int
    /// The mean top-class probability of the bin's images; nil for an empty bin.
    public let meanConfidence: Double?
    /// The fraction of the bin's images whose most probable class is the true one; nil when empty.
    public let accuracy: Double?

    public init(lowerEdge: Double, upperEdge: Double, count: Int, meanConfidence: Double?, accuracy: Double?) {
        self.lowerEdge = lowerEdge
        self.upperEdge = upperEdge
        self.count = count
        self.meanConfidence = meanConfidence
        self.accuracy = accuracy
    }

    private enum CodingKeys: String, CodingKey {
        case lowerEdge = "lower_edge", upperEdge = "upper_edge", count
        case meanConfidence = "mean_confidence", accuracy
    }
}
