/// A white RGB raster that `Figure.rasterized()` draws on (`curves.png`); the drawing and the
/// bitmap text are in `Canvas+Drawing.swift` and `Canvas+Text.swift`.
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
}
