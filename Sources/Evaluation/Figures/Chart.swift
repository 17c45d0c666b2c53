/// One plot area of a `Figure`: two axes, a title above it and the marks inside it.
package struct Chart: Sendable {
    package var title: String
    package var x: Axis, y: Axis
    package var marks: [Mark]
    /// The plot area is square (heatmaps, ROC, reliability), as large as the cell allows.
    package var isSquare = false

    package init(title: String, x: Axis, y: Axis, marks: [Mark], isSquare: Bool = false) {
        (self.title, self.x, self.y, self.marks, self.isSquare) = (title, x, y, marks, isSquare)
    }
}
