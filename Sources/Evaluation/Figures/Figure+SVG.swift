import Foundation

extension Figure {
    /// The font stack of every figure's text: the system's sans-serif.
    package static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

    /// The figure as a standalone SVG document, fit to inline in HTML: the root `<svg>` has
    /// `class="figure"`, `data-figure` = `name`, explicit `width`/`height` in pixels and a
    /// `<title>`; every text is XML-escaped.
    public var svg: String {
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"figure\" data-figure=\"\(name.xmlEscaped)\" "
                + "width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" "
                + "font-family=\"\(Self.fontFamily.xmlEscaped)\">",
            "<title>\(title.xmlEscaped)</title>",
            "<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>",
        ]
        lines += scene().map(Self.svgElement)
        lines.append("</svg>")
        return lines.joined(separator: "\n")
    }

    private static func svgElement(_ primitive: Primitive) -> String {
        switch primitive {
        case let .polyline(points, color, width, dashed):
            let coordinates = points.map { "\(number($0.x)),\(number($0.y))" }.joined(separator: " ")
            return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(color.hex)\" stroke-width=\"\(number(width))\""
                + " stroke-linejoin=\"round\"" + (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>"
        case let .rect(rect, fill, opacity, stroke):
            return "<rect x=\"\(number(rect.x))\" y=\"\(number(rect.y))\" width=\"\(number(rect.width))\" height=\"\(number(rect.height))\""
                + " fill=\"\(fill?.hex ?? "none")\"" + (opacity < 1 ? " fill-opacity=\"\(number(opacity))\"" : "")
                + (stroke.map { " stroke=\"\($0.hex)\" stroke-width=\"1\"" } ?? "") + "/>"
        case let .circle(center, radius, color):
            return "<circle cx=\"\(number(center.x))\" cy=\"\(number(center.y))\" r=\"\(number(radius))\" fill=\"\(color.hex)\"/>"
        case let .text(text, point, style):
            let rotation = style.rotation == 0 ? ""
                : " transform=\"rotate(\(number(style.rotation)) \(number(point.x)) \(number(point.y)))\""
            return "<text x=\"\(number(point.x))\" y=\"\(number(point.y))\" font-size=\"\(number(style.size))\""
                + " fill=\"\(style.color.hex)\" text-anchor=\"\(style.anchor.rawValue)\"" + (style.bold ? " font-weight=\"bold\"" : "")
                + rotation + ">\(text.xmlEscaped)</text>"
        }
    }

    /// A coordinate with at most two decimals, trailing zeros dropped.
    private static func number(_ value: Double) -> String {
        Axis.tickLabel((value * 100).rounded() / 100, step: 0.01)
    }
}
