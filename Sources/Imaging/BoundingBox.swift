/// An axis-aligned rectangle of whole pixels: columns `x..<(x + width)` and rows
/// `y..<(y + height)`, (0, 0) being the top-left pixel.
public struct BoundingBox: Sendable, Equatable, Hashable, Codable {
    /// The left column.
    public var x: Int
    /// The top row.
    public var y: Int
    /// The number of columns.
    public var width: Int
    /// The number of rows.
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}
