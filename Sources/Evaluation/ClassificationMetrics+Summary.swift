extension ClassificationMetrics {
    /// The headline scores on one line, as `evaluate` prints them.
    public var summaryLine: String {
        String(format: "accuracy %.4f  macro F1 %.4f  kappa %.4f  total cost %.0f  average cost %.3f  cost-sensitive accuracy %.4f",
               accuracy, macroF1, cohenKappa, totalCost, averageCost, costSensitiveAccuracy)
    }
}
