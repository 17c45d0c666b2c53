/// A single-channel image with values in 0...1 (luma, or a stain channel such as
/// `RGBImage.magentaStain()`), row-major, top row first.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` values; pixel (x, y) is at `y * width + x`.
    public var values: [Float]

    /// A grey image over `values`; throws `ImageError` unless `values.count == width * height`.
    public init(width: Int, height: Int, values: [Float]) throws {
        try checkPixelBufferSize(width: width, height: height, channels: 1, count: values.count, source: "grey value buffer")
        self.init(validatedWidth: width, height: height, values: values)
    }

    init(validatedWidth width: Int, height: Int, values: [Float]) {
        self.width = width
        self.height = height
        self.values = values
    }
}

extension RGBImage {
    /// BT.601 luma `(0.299 R + 0.587 G + 0.114 B) / 255`, in 0...1.
    public func grayscale() -> GrayImage {
        channel { red, green, blue in (0.299 * red + 0.587 * green + 0.114 * blue) * (1 / 255) }
    }

    /// One value per pixel, `value(red, green, blue)` of its 0...255 channels, as a grey image
    /// of this image's size: what `grayscale()` and the stain channels are made of.
    @inline(__always)
    func channel(_ value: (_ red: Float, _ green: Float, _ blue: Float) -> Float) -> GrayImage {
        let count = width * height
        let values = [Float](unsafeUninitializedCapacity: count) { output, initialized in
            pixels.withUnsafeBufferPointer { rgb in
                for index in 0..<count {
                    output[index] = value(Float(rgb[3 * index]), Float(rgb[3 * index + 1]), Float(rgb[3 * index + 2]))
                }
            }
            initialized = count
        }
        return GrayImage(validatedWidth: width, height: height, values: values)
    }
}
