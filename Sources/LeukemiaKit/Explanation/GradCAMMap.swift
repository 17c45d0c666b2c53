/// One Grad-CAM heat map: where in the image the evidence for a class lies, according to one
/// feature map of the network.
///
/// `values` is the map at the input image's size, normalized to [0, 1] by dividing by its
/// maximum (1 at the hottest pixel, 0 where the weighted feature map has no positive evidence);
/// an all-zero map stays zero. The coarse map and the channel weights it was made from are kept
/// for inspection and tests.
public struct GradCAMMap: Sendable, Equatable {
    /// The feature map's name (`features.norm5`, `backbone.features.norm5`, `unet.conv5`, ...).
    public let layer: String
    /// The input image's size.
    public let width: Int, height: Int
    /// `height · width` values in [0, 1], row-major (pixel (x, y) at `y · width + x`).
    public let values: [Float]
    /// Grad-CAM's weight of each channel k, alpha_k: the spatial mean of d(logit of the class)/d(A_k).
    public let channelWeights: [Float]
    /// The feature map's spatial size.
    public let coarseWidth: Int, coarseHeight: Int
    /// ReLU(Σ_k alpha_k A_k) at the feature map's resolution, `coarseHeight · coarseWidth` values,
    /// row-major, before upsampling and normalization.
    public let coarseValues: [Float]

    /// The map of `coarse` (`coarseHeight · coarseWidth` non-negative values) at `width` x `height`:
    /// upsampled bilinearly with pixel centres aligned (PyTorch's `interpolate(mode="bilinear",
    /// align_corners=False)`, OpenCV's `resize`; samples beyond the border take the border value),
    /// then divided by its maximum unless that is zero.
    init(layer: String, coarse: [Float], coarseWidth: Int, coarseHeight: Int, channelWeights: [Float],
         width: Int, height: Int) {
        precondition(coarse.count == coarseWidth * coarseHeight && width > 0 && height > 0,
                     "GradCAMMap: \(coarse.count) values for a \(coarseWidth) x \(coarseHeight) map")
        let columns = Self.taps(source: coarseWidth, target: width)
        let rows = Self.taps(source: coarseHeight, target: height)
        var upsampled = [Float](repeating: 0, count: width * height)
        for (y, row) in rows.enumerated() {
            for (x, column) in columns.enumerated() {
                func at(_ r: Int, _ c: Int) -> Float { coarse[r * coarseWidth + c] }
                let top = at(row.lower, column.lower) * (1 - column.fraction) + at(row.lower, column.upper) * column.fraction
                let bottom = at(row.upper, column.lower) * (1 - column.fraction) + at(row.upper, column.upper) * column.fraction
                upsampled[y * width + x] = top * (1 - row.fraction) + bottom * row.fraction
            }
        }
        let maximum = upsampled.max() ?? 0
        if maximum > 0 { upsampled = upsampled.map { $0 / maximum } }
        self.layer = layer
        self.width = width
        self.height = height
        values = upsampled
        self.channelWeights = channelWeights
        self.coarseWidth = coarseWidth
        self.coarseHeight = coarseHeight
        coarseValues = coarse
    }

    /// The value at pixel (x, y).
    public func value(x: Int, y: Int) -> Float { values[y * width + x] }

    /// For each target position along one axis, the two source positions it lies between and the
    /// weight of the upper one: source coordinate (target + 0.5) · source / target − 0.5, clamped
    /// to the source's first and last positions.
    private static func taps(source: Int, target: Int) -> [(lower: Int, upper: Int, fraction: Float)] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { position in
            let coordinate = min(max((Double(position) + 0.5) * scale - 0.5, 0), Double(source - 1))
            let lower = Int(coordinate)
            return (lower, min(lower + 1, source - 1), Float(coordinate - Double(lower)))
        }
    }
}
