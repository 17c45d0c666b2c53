extension Figure {
    /// A reliability diagram on the unit square: per non-empty bin a bar from its lower to its
    /// upper edge up to the bin's accuracy, shaded by its share of the images (the most populous
    /// bin solid, the others lighter: the count histogram folded into the bars); a line through
    /// (mean confidence, accuracy) of those bins; the identity (perfect calibration) dashed; the
    /// expected calibration error in the title. Edges and confidences in 0...1. Named "reliability".
    public static func reliabilityDiagram(bins: [(lowerEdge: Double, upperEdge: Double, count: Int, meanConfidence: Double, accuracy: Double)],
                                          ece: Double, title: String = "Reliability") -> Figure {
        let bar = FigurePalette.categorical(0), curve = FigurePalette.categorical(1)
        let filled = bins.filter { $0.count > 0 }
        let most = Double(filled.map(\.count).max() ?? 1)
        var marks: [Mark] = filled.map { bin in
            .rect(x: bin.lowerEdge...bin.upperEdge, y: 0...min(max(bin.accuracy, 0), 1), fill: bar,
                  opacity: 0.15 + 0.75 * Double(bin.count) / most)
        }
        marks.append(.line([DataPoint(0, 0), DataPoint(1, 1)], color: .reference, width: 1.5, dashed: true))
        marks.append(.line(filled.map { DataPoint($0.meanConfidence, $0.accuracy) }, color: curve))
        marks += filled.map { .dot(DataPoint($0.meanConfidence, $0.accuracy), radius: 3.5, color: curve) }
        let chart = Chart(title: "", x: .fixed("Confidence (top-class probability)", 0...1), y: .fixed("Accuracy", 0...1),
                          marks: marks, isSquare: true)
        return Figure(name: "reliability", title: "\(title) (\(bins.count) bins, ECE \(Axis.tickLabel(ece, step: 0.0001)))",
                      width: 560, height: 580, charts: [chart], legend: [
                          LegendEntry("Accuracy per bin (darker: more images)", bar, .swatch),
                          LegendEntry("Mean confidence against accuracy", curve, .dot),
                          LegendEntry("Perfect calibration", .reference, .line(dashed: true)),
                      ])
    }
}
