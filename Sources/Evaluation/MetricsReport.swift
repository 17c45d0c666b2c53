import Foundation

/// Renders classification metrics as a Markdown report (report.md).
public enum MetricsReport {
    /// A report with a details table (run facts such as model, data folder, seed), a summary (with
    /// sensitivity, specificity and the positive class's ROC AUC for two classes), the confusion
    /// matrix with class names, per-class scores, and the cost section.
    public static func markdown(title: String, metrics: ClassificationMetrics, details: [(String, String)]) -> String {
        var lines = ["# \(title)", ""]
        if !details.isEmpty {
            lines += table(header: ["Item", "Value"], rows: details.map { [$0.0, $0.1] }) + [""]
        }

        lines += ["## Summary", ""]
        lines += table(header: ["Metric", "Value"], rows: [
            ["Images", "\(metrics.sampleCount)"],
            ["Accuracy", number(metrics.accuracy)],
        ] + binaryRows(metrics) + [
            ["Macro F1", number(metrics.macroF1)],
            ["Weighted F1", number(metrics.weightedF1)],
            ["Cohen's kappa", number(metrics.cohenKappa)],
            ["Macro ROC AUC (one-vs-rest)", metrics.macroRocAUC.map(number) ?? "undefined"],
            ["Average cost per image", number(metrics.averageCost)],
            ["Cost-sensitive accuracy", number(metrics.costSensitiveAccuracy)],
        ]) + [""]

        lines += ["## Confusion matrix", "", "Rows: true class; columns: predicted class.", ""]
        lines += table(header: ["True \\ Predicted"] + metrics.classNames + ["Total"],
                       rows: zip(metrics.classNames, metrics.confusionMatrix).map { name, row in
                           [name] + row.map(String.init) + ["\(row.reduce(0, +))"]
                       }) + [""]

        lines += ["## Per class", ""]
        lines += table(header: ["Class", "Precision", "Recall", "F1", "Support", "ROC AUC"],
                       rows: zip(metrics.perClass, metrics.rocAUC).map { scores, auc in
                           [scores.name, number(scores.precision), number(scores.recall), number(scores.f1),
                            "\(scores.support)", auc.map(number) ?? "undefined"]
                       }) + [""]

        lines += ["## Cost", "", "Cost of predicting the column class for an image of the row class:", ""]
        lines += table(header: ["True \\ Predicted"] + metrics.classNames,
                       rows: zip(metrics.classNames, metrics.costMatrix).map { name, row in
                           [name] + row.map { number($0, digits: 2) }
                       }) + [""]
        lines += table(header: ["Cost measure", "Value"], rows: [
            ["Total cost (Σ n_ij · C_ij)", number(metrics.totalCost, digits: 2)],
            ["Average cost per image", number(metrics.averageCost)],
            ["Cost-sensitive accuracy (1 − total / (ΣC · n / k))", number(metrics.costSensitiveAccuracy)],
        ])
        return lines.joined(separator: "\n") + "\n"
    }

    /// Sensitivity, specificity and the positive class's ROC AUC; none unless the set has two classes.
    private static func binaryRows(_ metrics: ClassificationMetrics) -> [[String]] {
        guard let positive = metrics.positiveClass, let sensitivity = metrics.sensitivity,
              let specificity = metrics.specificity else { return [] }
        let name = metrics.classNames.indices.contains(positive) ? metrics.classNames[positive] : "class \(positive)"
        return [
            ["Sensitivity (positive class: \(name))", number(sensitivity)],
            ["Specificity", number(specificity)],
            ["ROC AUC of \(name)", metrics.positiveRocAUC.map(number) ?? "undefined"],
        ]
    }

    private static func number(_ value: Double) -> String { number(value, digits: 4) }

    private static func number(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    /// A Markdown table (`ReportTable.markdownLines`: `|` inside cells escaped, numeric columns right-aligned).
    static func table(header: [String], rows: [[String]]) -> [String] {
        ReportTable(header: header, rows: rows).markdownLines
    }
}
