extension ClassificationMetrics {
    /// The area under the ROC curve of `scores` for separating `positives` from the rest:
    /// the Mann–Whitney probability that a random positive scores above a random negative,
    /// ties counting one half (computed from average ranks in O(n log n)).
    /// Nil when there are no positives or no negatives; `scores` and `positives` have equal length.
    static func rocAUC(scores: [Double], positives: [Bool]) -> Double? {
        let positiveCount = positives.reduce(0) { $0 + ($1 ? 1 : 0) }
        let negativeCount = min(scores.count, positives.count) - positiveCount
        guard positiveCount > 0, negativeCount > 0 else { return nil }
        let order = zip(scores, positives).sorted { $0.0 < $1.0 }
        // Sum of the (1-based, tie-averaged) ranks of the positives.
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, order[end + 1].0 == order[start].0 { end += 1 }
            let averageRank = Double(start + end + 2) / 2
            for index in start...end where order[index].1 { positiveRankSum += averageRank }
            start = end + 1
        }
        let p = Double(positiveCount), q = Double(negativeCount)
        return (positiveRankSum - p * (p + 1) / 2) / (p * q)
    }
}
