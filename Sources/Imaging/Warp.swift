extension RGBImage {
    /// This image moved by `transform` (for augmentation: rotation, shift, shear, zoom, flip; see
    /// `AffineMap.centered(width:height:)`), same size. Each output pixel samples the input at
    /// the inverse-mapped position with bilinear interpolation; samples falling outside the image take
    /// the colour `fill` (blended at the border). Throws `ImageError` if `transform` is not invertible.
    public func warped(by transform: AffineMap, fill: (red: UInt8, green: UInt8, blue: UInt8) = (0, 0, 0))
        throws -> RGBImage {
        guard let inverse = transform.inverse else {
            throw ImageError(source: "affine transform \(transform)", reason: .notInvertible)
        }
        let fillColor = (Float(fill.red), Float(fill.green), Float(fill.blue))
        let count = width * height * 3
        let result = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            pixels.withUnsafeBufferPointer { input in
                /// The colour at integer position (x, y), or the fill colour outside the image.
                func color(_ x: Int, _ y: Int) -> (Float, Float, Float) {
                    guard x >= 0, x < width, y >= 0, y < height else { return fillColor }
                    let offset = (y * width + x) * 3
                    return (Float(input[offset]), Float(input[offset + 1]), Float(input[offset + 2]))
                }
                for y in 0..<height {
                    for x in 0..<width {
                        var sampled = fillColor
                        let source = inverse.apply(x: Double(x), y: Double(y))
                        // Positions more than a pixel outside (or not finite) only see the fill colour.
                        if source.x > -1, source.x < Double(width), source.y > -1, source.y < Double(height) {
                            let left = source.x.rounded(.down), top = source.y.rounded(.down)
                            let fx = Float(source.x - left), fy = Float(source.y - top)
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
