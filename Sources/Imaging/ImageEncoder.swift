import Foundation

/// Writes `RGBImage`s as PNG or JPEG bytes (synthetic test data, plots).
public enum ImageEncoder {
    /// Lossless PNG bytes of `image`.
    public static func png(_ image: RGBImage) throws -> Data {
        try PNGCodec.encode(image)
    }

    /// JPEG bytes of `image` at `quality` (1...100, clamped), without chroma subsampling (4:4:4).
    public static func jpeg(_ image: RGBImage, quality: Int) throws -> Data {
        try JPEGCodec.encode(image, quality: min(max(quality, 1), 100))
    }
}
