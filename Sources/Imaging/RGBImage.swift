/// An 8-bit RGB image: interleaved red, green, blue bytes, row-major, top row first.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes; pixel (x, y) starts at `(y * width + x) * 3`.
    public var pixels: [UInt8]

    /// An image over `pixels`; throws `ImageError` if a side is negative or the count
    /// is not `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        try checkPixelBufferSize(width: width, height: height, channels: 3, count: pixels.count, source: "RGB pixel buffer")
        self.init(validatedWidth: width, height: height, pixels: pixels)
    }

    /// For sizes and buffers the module has produced itself.
    init(validatedWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The colour of pixel (x, y); the coordinates must lie inside the image.
    public func pixel(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let offset = (y * width + x) * 3
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }
}
