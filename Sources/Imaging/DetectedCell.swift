/// One cell found by `CellDetector`, in pixels of the image that was given to the detector.
public struct DetectedCell: Sendable, Equatable, Codable {
    /// The smallest box holding the cell's pixels.
    public var box: BoundingBox
    /// The cell's area in pixels. When the detector resized the image to its working size, the
    /// area found there times the ratio of pixel areas, rounded.
    public var area: Int
    /// The centroid's column: the mean x of the cell's pixel centres (pixel (x, y) has its centre
    /// at (x, y)).
    public var centroidX: Double
    /// The centroid's row: the mean y of the cell's pixel centres.
    public var centroidY: Double

    private enum CodingKeys: String, CodingKey {
        case box, area, centroidX = "centroid_x", centroidY = "centroid_y"
    }

    public init(box: BoundingBox, area: Int, centroidX: Double, centroidY: Double) {
        self.box = box
        self.area = area
        self.centroidX = centroidX
        self.centroidY = centroidY
    }
}
