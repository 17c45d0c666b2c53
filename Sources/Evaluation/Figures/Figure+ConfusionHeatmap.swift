import Foundation

extension Figure {
    /// A confusion-matrix heatmap: rows the true class (first class on top), columns the
    /// predicted class, each cell coloured on viridis and labelled in black or white, whichever
    /// contrasts more. `counts[i][j]`: images of class i predicted as class j (k x k).
    ///
    /// With `normalized`, each row is divided by its total (a row without images stays 0), the
    /// cells read as recall-style fractions with two decimals and the scale is 0...1; otherwise
    /// the cells show counts and the scale runs from 0 to the largest count (at least 1), so the
    /// largest cell takes the palette's end colour and empty cells its start colour.
    /// Named "confusion-normalized" or "confusion-counts".
    public static func confusionHeatmap(classNames: [String], counts: [[Int]], normalized: Bool, title: String? = nil,
                                        palette: SequentialPalette = .viridis) -> Figure {
        let k = classNames.count
        let values: [[Double]] = counts.map { row in
            let total = row.reduce(0, +)
            return row.map { normalized ? (total > 0 ? Double($0) / Double(total) : 0) : Double($0) }
        }
        let maximum = normalized ? 1 : max(1, values.joined().max() ?? 1)
        let scale = ColorBar(palette: palette, axis: .fixed(normalized ? "Share of the true class" : "Images", 0...maximum,
                                                            integer: !normalized))
        var marks: [Mark] = []
        for (i, row) in values.enumerated() {
            let y = Double(k - 1 - i)
            for (j, value) in row.enumerated() {
                let fill = scale.color(of: value), x = Double(j)
                marks.append(.rect(x: x - 0.5...x + 0.5, y: y - 0.5...y + 0.5, fill: fill))
                let text = normalized ? String(format: "%.2f", value) : "\(counts[i][j])"
                marks.append(.label(text, at: DataPoint(x, y), color: fill.contrastingText, size: k > 10 ? 11 : 12))
            }
        }
        var predicted = Axis.categorical("Predicted class", classNames)
        predicted.slantsTickLabels = classNames.contains { $0.count > 6 }
        let chart = Chart(title: "", x: predicted, y: .categorical("True class", classNames.reversed()), marks: marks, isSquare: true)
        // Size the figure around a square plot of 56 pixels a class (240...560) and the margins of `layout()`.
        let longest = Figure.textWidth(classNames.max { $0.count < $1.count } ?? "", size: tickSize)
        let side = min(560, max(240, Double(k) * 56))
        let xTickHeight = predicted.slantsTickLabels ? longest * sin(slant * .pi / 180) + tickSize + 8 : tickSize + 10
        let width = 2 * padding + labelSize + 18 + longest + side + 4 + 96
        let height = 2 * padding + titleSize + 14 + side + xTickHeight + labelSize + 8
        return Figure(name: normalized ? "confusion-normalized" : "confusion-counts",
                      title: title ?? (normalized ? "Confusion matrix (share of each true class)" : "Confusion matrix (images)"),
                      width: Int(width.rounded(.up)), height: Int(height.rounded(.up)),
                      charts: [chart], colorBar: scale)
    }
}
