/// One plot area of the canvas, mapping data coordinates to pixels.
package struct Panel {
    package let originX: Int, width: Int, height: Int, margin: Int
    package let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>

    /// The plot area `width` x `height` pixels at `originX`, inset by `margin`, showing
    /// `xRange` x `yRange` in data coordinates.
    package init(originX: Int, width: Int, height: Int, margin: Int, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        (self.originX, self.width, self.height, self.margin, self.xRange, self.yRange) = (originX, width, height, margin, xRange, yRange)
    }

    package static let axis: (UInt8, UInt8, UInt8) = (0, 0, 0)
    package static let grid: (UInt8, UInt8, UInt8) = (225, 225, 225)

    package var left: Int { originX + margin }
    package var right: Int { originX + width - margin }
    package var top: Int { margin }
    package var bottom: Int { height - margin }

    package func pixelX(_ x: Double) -> Int {
        left + Int(((x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * Double(right - left)).rounded())
    }

    package func pixelY(_ y: Double) -> Int {
        let clamped = min(max(y, yRange.lowerBound), yRange.upperBound)
        return bottom - Int(((clamped - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * Double(bottom - top)).rounded())
    }

    package func drawFrame(on canvas: inout Canvas) {
        for division in 1...5 {
            let y = bottom - (bottom - top) * division / 5, x = left + (right - left) * division / 5
            canvas.line(left, y, right, y, Self.grid, thick: false)
            canvas.line(x, top, x, bottom, Self.grid, thick: false)
        }
        canvas.line(left, bottom, right, bottom, Self.axis, thick: false)
        canvas.line(left, top, left, bottom, Self.axis, thick: false)
    }

    package func drawVertical(at x: Double, color: (UInt8, UInt8, UInt8), on canvas: inout Canvas) {
        canvas.line(pixelX(x), top, pixelX(x), bottom, color, thick: false)
    }

    package func drawPolyline(x: [Double], y: [Double], color: (UInt8, UInt8, UInt8), on canvas: inout Canvas) {
        let points = zip(x, y).filter { $0.1.isFinite }.map { (pixelX($0.0), pixelY($0.1)) }
        if points.count == 1 {
            for dx in -2...2 { for dy in -2...2 { canvas.set(points[0].0 + dx, points[0].1 + dy, color) } }
        }
        for (from, to) in zip(points, points.dropFirst()) { canvas.line(from.0, from.1, to.0, to.1, color) }
    }
}
