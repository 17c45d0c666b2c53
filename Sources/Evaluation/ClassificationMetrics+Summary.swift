extension ClassificationMetrics {
    /// The headline scores on one line, as `evaluate` prints them; for two classes also the
    /// sensitivity and specificity (of the positive class).
    public var summaryLine: String {
        var line = String(format: "accuracy %.4f  macro F1 %.4f  kappa %.4f  total cost %.0f  average cost %.3f  cost-sensitive accuracy %.4f",
                          accuracy, macroF1, cohenKappa, totalCost, averageCost, costSensitiveAccuracy)
        if let sensitivity, let specificity, let positiveClass {
            line += String(format: "  sensitivity %.4f  specificity %.4f (positive class %@)", sensitivity, specificity,
                           classNames[positiveClass])
        }
        return line
    }
}
