/// For each pixel of a `BinaryMask`, the Euclidean distance in pixels from its centre to the
/// centre of the nearest clear pixel: 0 on clear pixels, 1 on set pixels next to a clear one
/// (horizontally or vertically), √2 diagonally, and so on. Pixels outside the image do not count
/// as clear; when the mask has no clear pixel at all, every distance is +∞.
/// Row-major, top row first, like the mask.
public struct DistanceMap: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` distances in pixels; pixel (x, y) is at `y * width + x`.
    public var distances: [Float]

    init(validatedWidth width: Int, height: Int, distances: [Float]) {
        self.width = width
        self.height = height
        self.distances = distances
    }

    /// The distance at pixel (x, y), which must lie inside the map.
    public func distance(x: Int, y: Int) -> Float {
        distances[y * width + x]
    }
}
