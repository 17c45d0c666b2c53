/// The neighbourhood that a morphological operation (`BinaryMask.dilated(by:)` and its kin)
/// looks at around each pixel: the offsets (dx, dy), in pixels, of a shape centred on the pixel.
public enum StructuringElement: Sendable, Equatable {
    /// The offsets with dx² + dy² ≤ radius²: a digital disc 2·radius + 1 pixels wide
    /// (radius 0 is the pixel alone, radius 1 the pixel and its 4 direct neighbours).
    case disc(radius: Int)
    /// The (2·radius + 1)² offsets with |dx| ≤ radius and |dy| ≤ radius.
    case square(radius: Int)

    /// The radius in pixels (negative radii count as 0).
    public var radius: Int {
        switch self {
        case .disc(let radius), .square(let radius): return max(radius, 0)
        }
    }

    /// The element as one horizontal run per row: for each dy in -radius...radius, the offsets
    /// -halfWidth...halfWidth along x. Both shapes are symmetric, so an operation and its dual
    /// (dilation and erosion) use the same runs.
    var rows: [(dy: Int, halfWidth: Int)] {
        let radius = self.radius
        return (-radius...radius).map { dy in
            switch self {
            case .disc:
                // The largest dx with dx² + dy² ≤ radius².
                var halfWidth = 0
                while (halfWidth + 1) * (halfWidth + 1) + dy * dy <= radius * radius { halfWidth += 1 }
                return (dy, halfWidth)
            case .square:
                return (dy, radius)
            }
        }
    }
}
