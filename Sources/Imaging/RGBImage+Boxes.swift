extension RGBImage {
    /// Draws the outline of each box in the colour at the same index of `colors` (one colour per
    /// box): the box's outermost `lineWidth` pixels on each side (fewer if the box is narrower), so
    /// the outline stays inside the box. Parts outside the image are not drawn; later boxes are
    /// drawn over earlier ones.
    public mutating func drawBoxes(_ boxes: [BoundingBox], colors: [RGBColor], lineWidth: Int = 1) {
        precondition(colors.count == boxes.count, "\(boxes.count) boxes need \(boxes.count) colours, got \(colors.count)")
        let line = max(lineWidth, 1)
        for (box, color) in zip(boxes, colors) {
            let left = max(box.x, 0), right = min(box.x + box.width, width)
            let top = max(box.y, 0), bottom = min(box.y + box.height, height)
            guard left < right, top < bottom else { continue }
            for y in top..<bottom {
                let onHorizontalEdge = y < box.y + line || y >= box.y + box.height - line
                for x in left..<right
                where onHorizontalEdge || x < box.x + line || x >= box.x + box.width - line {
                    let offset = (y * width + x) * 3
                    pixels[offset] = color.red
                    pixels[offset + 1] = color.green
                    pixels[offset + 2] = color.blue
                }
            }
        }
    }

    /// Draws the outline of each box in `color` (see `drawBoxes(_:colors:lineWidth:)`).
    public mutating func drawBoxes(_ boxes: [BoundingBox], color: RGBColor, lineWidth: Int = 1) {
        drawBoxes(boxes, colors: Array(repeating: color, count: boxes.count), lineWidth: lineWidth)
    }
}
