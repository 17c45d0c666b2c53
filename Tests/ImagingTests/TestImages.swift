import Foundation
@testable import Imaging

/// Synthetic images shared by the Imaging tests.
enum TestImages {
    /// A `width` x `height` image whose pixel (x, y) has colour `color(x, y)`.
    static func make(width: Int, height: Int,
                     _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) -> RGBImage {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let (red, green, blue) = color(x, y)
                pixels += [red, green, blue]
            }
        }
        return RGBImage(validatedWidth: width, height: height, pixels: pixels)
    }

    /// A smooth colourful pattern that JPEG compresses well.
    static func gradient(width: Int, height: Int) -> RGBImage {
        make(width: width, height: height) { x, y in
            (UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), UInt8((x + y) * 2 % 256))
        }
    }
}
