extension Figure {
    /// One-vs-rest ROC curves on the unit square, one Okabe–Ito line per class with its AUC in
    /// the legend ("undefined" when nil), and the chance diagonal dashed. `points` are
    /// (false positive rate, true positive rate) pairs in drawing order. Named "roc".
    public static func rocCurves(_ curves: [(name: String, points: [(fpr: Double, tpr: Double)], auc: Double?)],
                                 title: String = "ROC curves (one class against the rest)") -> Figure {
        var marks: [Mark] = [.line([DataPoint(0, 0), DataPoint(1, 1)], color: .reference, width: 1.5, dashed: true)]
        var legend: [LegendEntry] = []
        for (index, curve) in curves.enumerated() {
            let color = FigurePalette.categorical(index)
            marks.append(.line(curve.points.map { DataPoint($0.fpr, $0.tpr) }, color: color))
            legend.append(LegendEntry("\(curve.name) (AUC \(curve.auc.map { Axis.tickLabel($0, step: 0.001) } ?? "undefined"))", color))
        }
        legend.append(LegendEntry("Chance", .reference, .line(dashed: true)))
        let chart = Chart(title: "", x: .fixed("False positive rate", 0...1), y: .fixed("True positive rate", 0...1),
                          marks: marks, isSquare: true)
        return Figure(name: "roc", title: title, width: 560, height: 560 + 18 * ((legend.count - 1) / 3), charts: [chart], legend: legend)
    }
}
