import Imaging

/// Cheap facts about a decoded image, measured before it is resized for a model: what the
/// out-of-distribution check's image-quality rules look at.
public struct ImageQuality: Sendable, Equatable {
    /// The decoded size in pixels.
    public var width: Int
    public var height: Int
    /// The standard deviation of the luminance (0.299 R + 0.587 G + 0.114 B, on 0...255) over a
    /// 64 x 64 squash of the image: about 0 for a blank, black or single-colour image.
    public var luminanceSpread: Double
    /// The share of pixels of that 64 x 64 squash inside the stain's HSV range (the study's purple
    /// range): 0 for an image without stained cells.
    public var stainFraction: Double

    /// The side of the square the spread and the stain share are measured on.
    public static let sampleSide = 64

    public init(width: Int, height: Int, luminanceSpread: Double, stainFraction: Double) {
        self.width = width
        self.height = height
        self.luminanceSpread = luminanceSpread
        self.stainFraction = stainFraction
    }

    /// Measures `image`; `stain` is the HSV range of stained cells.
    public init(of image: RGBImage, stain: HSVRange) {
        width = image.width
        height = image.height
        let sample = image.resized(toSquare: Self.sampleSide, policy: .squash)
        let count = Self.sampleSide * Self.sampleSide
        var sum = 0.0, squares = 0.0, stained = 0
        for index in 0..<count {
            let red = sample.pixels[3 * index], green = sample.pixels[3 * index + 1], blue = sample.pixels[3 * index + 2]
            let luminance = 0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue)
            sum += luminance
            squares += luminance * luminance
            if stain.contains(HSVColor(red: red, green: green, blue: blue)) { stained += 1 }
        }
        let mean = sum / Double(count)
        luminanceSpread = max(0, squares / Double(count) - mean * mean).squareRoot()
        stainFraction = Double(stained) / Double(count)
    }
}
