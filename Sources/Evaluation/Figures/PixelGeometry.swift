/// A point in a figure's pixel space: x to the right, y downwards from the top-left corner.
package struct PixelPoint: Sendable, Equatable {
    package var x: Double, y: Double

    package init(_ x: Double, _ y: Double) {
        (self.x, self.y) = (x, y)
    }
}

/// A rectangle in a figure's pixel space.
package struct PixelRect: Sendable, Equatable {
    package var x: Double, y: Double, width: Double, height: Double

    package init(x: Double, y: Double, width: Double, height: Double) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    package var maxX: Double { x + width }
    package var maxY: Double { y + height }
    package var midX: Double { x + width / 2 }
    package var midY: Double { y + height / 2 }
}
