extension Figure {
    /// The figure drawn on a white `Canvas` of `width` x `height` pixels from the same `scene()`
    /// as the SVG: lines, rectangles and dots without anti-aliasing, text in the 5 x 7
    /// `BitmapFont` (sizes from 15 pixels doubled).
    package func rasterized() -> Canvas {
        var canvas = Canvas(width: width, height: height)
        for primitive in scene() {
            switch primitive {
            case let .polyline(points, color, width, dashed):
                canvas.stroke(points, color, width: width, dashed: dashed)
            case let .rect(rect, fill, opacity, stroke):
                if let fill { canvas.fill(rect, fill, opacity: opacity) }
                if let stroke { canvas.outline(rect, stroke) }
            case let .circle(center, radius, color):
                canvas.fillCircle(center, radius: radius, color)
            case let .text(text, point, style):
                canvas.draw(text, at: point, style: style)
            }
        }
        return canvas
    }
}
