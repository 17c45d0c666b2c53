/// The toolkit's figures are drawn on a `Canvas` in `Panel`s (training curves today).
/// A white RGB raster.
package struct Canvas {
    package let width: Int, height: Int
    /// Interleaved RGB, row-major, `width · height · 3` bytes.
    package var pixels: [UInt8]

    package init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    package mutating func set(_ x: Int, _ y: Int, _ color: (UInt8, UInt8, UInt8)) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let offset = (y * width + x) * 3
        pixels[offset] = color.0
        pixels[offset + 1] = color.1
        pixels[offset + 2] = color.2
    }

    /// A line two pixels thick from (x0, y0) to (x1, y1).
    package mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ color: (UInt8, UInt8, UInt8), thick: Bool = true) {
        let steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for step in 0...steps {
            let x = x0 + (x1 - x0) * step / steps, y = y0 + (y1 - y0) * step / steps
            set(x, y, color)
            if thick { set(x + 1, y, color); set(x, y + 1, color) }
        }
    }
}
