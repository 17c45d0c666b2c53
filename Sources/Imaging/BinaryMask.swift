/// A yes/no value per pixel, row-major, top row first.
public struct BinaryMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height` flags; pixel (x, y) is at `y * width + x`.
    public var bits: [Bool]

    /// A mask over `bits`; throws `ImageError` unless `bits.count == width * height`.
    public init(width: Int, height: Int, bits: [Bool]) throws {
        try checkPixelBufferSize(width: width, height: height, channels: 1, count: bits.count, source: "mask bit buffer")
        self.init(validatedWidth: width, height: height, bits: bits)
    }

    init(validatedWidth width: Int, height: Int, bits: [Bool]) {
        self.width = width
        self.height = height
        self.bits = bits
    }

    /// The share of pixels that are set (0 for an empty mask).
    public var fraction: Double {
        guard !bits.isEmpty else { return 0 }
        return Double(bits.lazy.filter { $0 }.count) / Double(bits.count)
    }
}

extension RGBImage {
    /// This image with every pixel outside `mask` set to black; throws `ImageError` if the
    /// mask does not have the image's size.
    public func masked(by mask: BinaryMask) throws -> RGBImage {
        guard mask.width == width, mask.height == height else {
            throw ImageError(source: "mask", reason: .sizeMismatch(expected: "\(width)x\(height)",
                                                                  found: "\(mask.width)x\(mask.height)"))
        }
        var result = pixels
        result.withUnsafeMutableBufferPointer { rgb in
            for (index, keep) in mask.bits.enumerated() where !keep {
                rgb[3 * index] = 0
                rgb[3 * index + 1] = 0
                rgb[3 * index + 2] = 0
            }
        }
        return RGBImage(validatedWidth: width, height: height, pixels: result)
    }
}
