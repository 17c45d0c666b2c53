/// One item of a figure's legend: a sample of how a series is drawn, and its label.
package struct LegendEntry: Sendable {
    package enum Style: Sendable {
        case line(dashed: Bool)
        case swatch
        case dot
    }

    package var label: String
    package var color: FigureColor
    package var style: Style

    package init(_ label: String, _ color: FigureColor, _ style: Style = .line(dashed: false)) {
        (self.label, self.color, self.style) = (label, color, style)
    }
}
