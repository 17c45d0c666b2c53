/// What a figure is drawn with, in pixels: `Figure.scene()` produces these; the SVG writer and
/// the rasterizer each translate them one by one.
package enum Primitive: Sendable {
    /// `width` in pixels; dashes of 6 on, 4 off.
    case polyline([PixelPoint], color: FigureColor, width: Double, dashed: Bool)
    /// Filled (with `opacity` 0...1) and/or outlined with a 1-pixel line.
    case rect(PixelRect, fill: FigureColor?, opacity: Double, stroke: FigureColor?)
    case circle(PixelPoint, radius: Double, color: FigureColor)
    /// `at` is the anchor point on the text's baseline.
    case text(String, at: PixelPoint, style: TextStyle)
}

/// How a text primitive is set.
package struct TextStyle: Sendable, Equatable {
    package enum Anchor: String, Sendable {
        case start, middle, end
    }

    /// Font size in pixels (at least 11).
    package var size: Double
    package var color: FigureColor = .ink
    package var anchor: Anchor = .start
    package var bold = false
    /// Clockwise degrees about the anchor point (SVG's convention): -90 reads upwards.
    package var rotation: Double = 0
}
