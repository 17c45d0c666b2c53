extension Figure {
    /// Accuracy against coverage for selective prediction (the risk–coverage curve read as
    /// 1 − risk): per model an Okabe–Ito line through (coverage, accuracy on the accepted
    /// images), coverage on 0...1, accuracy from a round value below the lowest point up to 1.
    /// Named "risk-coverage".
    public static func riskCoverage(_ curves: [(name: String, points: [(coverage: Double, accuracy: Double)])],
                                    title: String = "Accuracy against coverage") -> Figure {
        let accuracies = curves.flatMap { $0.points.map(\.accuracy) }
        var accuracyAxis = Axis.covering("Accuracy on accepted images", accuracies, including: [1])
        if accuracyAxis.range.upperBound > 1 {
            accuracyAxis = .fixed(accuracyAxis.label, accuracyAxis.range.lowerBound...1)
        }
        var marks: [Mark] = [], legend: [LegendEntry] = []
        for (index, curve) in curves.enumerated() {
            let color = FigurePalette.categorical(index)
            marks.append(.line(curve.points.map { DataPoint($0.coverage, $0.accuracy) }, color: color))
            legend.append(LegendEntry(curve.name, color))
        }
        let chart = Chart(title: "", x: .fixed("Coverage (share of images accepted)", 0...1), y: accuracyAxis, marks: marks)
        return Figure(name: "risk-coverage", title: title, width: 600, height: 440 + 18 * (curves.count / 4), charts: [chart], legend: legend)
    }
}
