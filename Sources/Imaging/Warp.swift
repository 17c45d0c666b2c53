/// What a warp shows where it samples outside the source image.
public enum WarpBorder: Sendable, Equatable {
    /// A constant colour (blended at the border).
    case constant(red: UInt8, green: UInt8, blue: UInt8)
    /// The nearest edge pixel (Keras' default `fill_mode="nearest"`).
    case nearest
    /// The image mirrored at its edges, the edge pixel included (d c b a | a b c d | d c b a:
    /// Keras' `fill_mode="reflect"`, scipy's `mode="reflect"`), repeating with period 2 x side.
    case reflect
}

extension RGBImage {
    /// This image moved by `transform` with a constant colour `fill` outside the source image.
    public func warped(by transform: AffineMap, fill: (red: UInt8, green: UInt8, blue: UInt8) = (0, 0, 0))
        throws -> RGBImage {
        try warped(by: transform, border: .constant(red: fill.red, green: fill.green, blue: fill.blue))
    }

    /// This image moved by `transform` (for augmentation: rotation, shift, shear, zoom, flip; see
    /// `AffineMap.centered(width:height:)`), same size. Each output pixel samples the input at
    /// the inverse-mapped position with bilinear interpolation; samples falling outside the image
    /// follow `border`. Throws `ImageError` if `transform` is not invertible.
    public func warped(by transform: AffineMap, border: WarpBorder) throws -> RGBImage {
        guard let inverse = transform.inverse else {
            throw ImageError(source: "affine transform \(transform)", reason: .notInvertible)
        }
        let fillColor: (Float, Float, Float)
        switch border {
        case let .constant(red, green, blue): fillColor = (Float(red), Float(green), Float(blue))
        case .nearest, .reflect: fillColor = (0, 0, 0)
        }
        let clampsToEdge = border == .nearest, reflects = border == .reflect
        /// Index `i` of a side of `n` pixels mirrored into 0..<n (half-sample symmetric).
        func reflected(_ i: Int, _ n: Int) -> Int {
            let period = 2 * n, m = ((i % period) + period) % period
            return m < n ? m : period - 1 - m
        }
        let count = width * height * 3
        let result = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            pixels.withUnsafeBufferPointer { input in
                /// The colour at integer position (x, y), or the fill colour outside the image.
                func color(_ x: Int, _ y: Int) -> (Float, Float, Float) {
                    var x = x, y = y
                    if clampsToEdge {
                        x = min(max(x, 0), width - 1)
                        y = min(max(y, 0), height - 1)
                    } else if reflects {
                        x = reflected(x, width)
                        y = reflected(y, height)
                    }
                    guard x >= 0, x < width, y >= 0, y < height else { return fillColor }
                    let offset = (y * width + x) * 3
                    return (Float(input[offset]), Float(input[offset + 1]), Float(input[offset + 2]))
                }
                for y in 0..<height {
                    for x in 0..<width {
                        var sampled = fillColor
                        let source = inverse.apply(x: Double(x), y: Double(y))
                        // Positions more than a pixel outside (or not finite) see only the border; a
                        // reflected one is sampled wherever it is (within a billion pixels).
                        let clampedX = clampsToEdge ? min(max(source.x, 0), Double(width - 1)) : source.x
                        let clampedY = clampsToEdge ? min(max(source.y, 0), Double(height - 1)) : source.y
                        let inside = reflects ? abs(clampedX) < 1e9 && abs(clampedY) < 1e9
                            : clampedX > -1 && clampedX < Double(width) && clampedY > -1 && clampedY < Double(height)
                        if inside {
                            let left = clampedX.rounded(.down), top = clampedY.rounded(.down)
                            let fx = Float(clampedX - left), fy = Float(clampedY - top)
                            let x0 = Int(left), y0 = Int(top)
                            let c00 = color(x0, y0), c10 = color(x0 + 1, y0)
                            let c01 = color(x0, y0 + 1), c11 = color(x0 + 1, y0 + 1)
                            let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy
                            sampled = (w00 * c00.0 + w10 * c10.0 + w01 * c01.0 + w11 * c11.0,
                                       w00 * c00.1 + w10 * c10.1 + w01 * c01.1 + w11 * c11.1,
                                       w00 * c00.2 + w10 * c10.2 + w01 * c01.2 + w11 * c11.2)
                        }
                        let offset = (y * width + x) * 3
                        output[offset] = UInt8(min(max(sampled.0.rounded(), 0), 255))
                        output[offset + 1] = UInt8(min(max(sampled.1.rounded(), 0), 255))
                        output[offset + 2] = UInt8(min(max(sampled.2.rounded(), 0), 255))
                    }
                }
            }
            initialized = count
        }
        return RGBImage(validatedWidth: width, height: height, pixels: result)
    }
}
