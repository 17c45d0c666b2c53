extension ClassificationMetrics {
    /// Metrics of the arg-max decision: each image is assigned its most probable class.
    public init(trueLabels: [Int], probabilities: [[Double]], classNames: [String], cost: CostMatrix,
                positiveClass: Int? = nil) throws {
        try self.init(trueLabels: trueLabels, predictedLabels: probabilities.map(Self.argMax),
                      probabilities: probabilities, classNames: classNames, cost: cost, positiveClass: positiveClass)
    }

    /// The index of the largest value (the first one on ties).
    public static func argMax(_ values: [Double]) -> Int {
        values.indices.max { values[$0] < values[$1] } ?? 0
    }
}
