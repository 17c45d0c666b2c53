/// The nonconformity score of a split-conformal predictor, and whether its threshold is shared by
/// all classes or fitted per class. The default is `.leastAmbiguous`.
public enum ConformalMethod: String, Codable, CaseIterable, Sendable {
    /// LAC, "least ambiguous set-valued classifier" (Sadinle, Lei & Wasserman 2019): score
    /// `1 − p_y`, one threshold for all classes; the smallest sets on average for a marginal
    /// coverage guarantee. The default.
    case leastAmbiguous = "lac"
    /// Mondrian (class-conditional) LAC (Vovk et al. 2005, *Algorithmic Learning in a Random
    /// World*, §4.5; Angelopoulos & Bates 2021, §4.1): score `1 − p_y`, one threshold per class
    /// fitted on that class's calibration images alone, so each class is covered at 1 − α.
    case classConditional = "class_conditional"
    /// Adaptive prediction sets (Romano, Sesia & Candès 2020), non-randomized: score = the total
    /// probability of the classes ranked at or above the true class (probabilities descending, ties
    /// by class index); sets grow with the classifier's uncertainty. Without the randomization
    /// the coverage guarantee holds but sets are somewhat larger than needed; in particular
    /// classes tied at the end of the order share one score, so a one-hot probability row (a
    /// certain classifier) puts every class in the set — use LAC for such models.
    case adaptive = "aps"

    /// `scores[c]`: the nonconformity of class c for an image with class probabilities `row`.
    func scores(_ row: [Double]) -> [Double] {
        switch self {
        case .leastAmbiguous, .classConditional:
            return row.map { 1 - $0 }
        case .adaptive:
            let order = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
            var scores = [Double](repeating: 0, count: row.count)
            var cumulative = 0.0
            for c in order {
                cumulative += row[c]
                scores[c] = cumulative
            }
            return scores
        }
    }
}
