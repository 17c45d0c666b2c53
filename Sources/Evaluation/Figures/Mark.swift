/// Something drawn inside a chart's plot area, in data coordinates (the axes convert them).
package enum Mark: Sendable {
    /// A polyline through `points`; a non-finite coordinate breaks it; a lone point shows as a dot.
    /// `width` in pixels.
    case line([DataPoint], color: FigureColor, width: Double = 2, dashed: Bool = false)
    /// A filled rectangle; `opacity` 0...1.
    case rect(x: ClosedRange<Double>, y: ClosedRange<Double>, fill: FigureColor, opacity: Double = 1)
    /// A filled circle, `radius` in pixels.
    case dot(DataPoint, radius: Double, color: FigureColor)
    /// Text centred on a point (a heatmap cell's value), `size` in pixels.
    case label(String, at: DataPoint, color: FigureColor, size: Double = 12)
}

/// A point in data coordinates.
package struct DataPoint: Sendable, Equatable {
    package var x: Double, y: Double

    package init(_ x: Double, _ y: Double) {
        (self.x, self.y) = (x, y)
    }
}
