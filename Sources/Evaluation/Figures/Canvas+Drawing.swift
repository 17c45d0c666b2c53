import Foundation

/// Anti-aliasing-free drawing for `Figure.rasterized()`; coordinates are pixels with pixel
/// (i, j) covering [i, i + 1) x [j, j + 1).
extension Canvas {
    /// Blends `color` over pixel (x, y) with `opacity` 0...1 (1 replaces it).
    package mutating func blend(_ x: Int, _ y: Int, _ color: FigureColor, opacity: Double) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        if opacity >= 1 { return set(x, y, color.tuple) }
        let offset = (y * width + x) * 3
        for (channel, value) in [color.red, color.green, color.blue].enumerated() {
            let old = Double(pixels[offset + channel])
            pixels[offset + channel] = UInt8((old + (Double(value) - old) * opacity).rounded())
        }
    }

    /// Fills the pixels whose centres lie in `rect`.
    package mutating func fill(_ rect: PixelRect, _ color: FigureColor, opacity: Double = 1) {
        let x0 = Int((rect.x - 0.5).rounded(.up)), x1 = Int((rect.maxX - 0.5).rounded(.up))
        let y0 = Int((rect.y - 0.5).rounded(.up)), y1 = Int((rect.maxY - 0.5).rounded(.up))
        for y in stride(from: max(y0, 0), to: min(y1, height), by: 1) {
            for x in stride(from: max(x0, 0), to: min(x1, width), by: 1) { blend(x, y, color, opacity: opacity) }
        }
    }

    /// A rectangle's 1-pixel outline.
    package mutating func outline(_ rect: PixelRect, _ color: FigureColor) {
        let corners = [PixelPoint(rect.x, rect.y), PixelPoint(rect.maxX, rect.y), PixelPoint(rect.maxX, rect.maxY),
                       PixelPoint(rect.x, rect.maxY), PixelPoint(rect.x, rect.y)]
        stroke(corners, color, width: 1, dashed: false)
    }

    /// A polyline `width` pixels thick, a square brush swept in half-pixel steps; dashed: 6
    /// pixels on, 4 off, counted along the whole line.
    package mutating func stroke(_ points: [PixelPoint], _ color: FigureColor, width: Double, dashed: Bool) {
        let reach = max(0, (width - 1) / 2)
        var travelled = 0.0
        for (from, to) in zip(points, points.dropFirst()) {
            let length = hypot(to.x - from.x, to.y - from.y), steps = max(1, Int((length * 2).rounded(.up)))
            for step in 0...steps {
                let t = Double(step) / Double(steps)
                if dashed, (travelled + t * length).truncatingRemainder(dividingBy: 10) >= 6 { continue }
                let x = from.x + t * (to.x - from.x), y = from.y + t * (to.y - from.y)
                for py in Int((y - reach).rounded(.down))...Int((y + reach).rounded(.down)) {
                    for px in Int((x - reach).rounded(.down))...Int((x + reach).rounded(.down)) { set(px, py, color.tuple) }
                }
            }
            travelled += length
        }
    }

    /// The pixels whose centres lie within `radius` of `center`.
    package mutating func fillCircle(_ center: PixelPoint, radius: Double, _ color: FigureColor) {
        for y in Int((center.y - radius).rounded(.down))...Int((center.y + radius).rounded(.up)) {
            for x in Int((center.x - radius).rounded(.down))...Int((center.x + radius).rounded(.up))
            where hypot(Double(x) + 0.5 - center.x, Double(y) + 0.5 - center.y) <= radius {
                set(x, y, color.tuple)
            }
        }
    }
}
