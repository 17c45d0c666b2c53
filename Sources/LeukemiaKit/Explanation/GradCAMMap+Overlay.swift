import Imaging

extension GradCAMMap {
    /// The heat map's own picture: each value coloured by `Viridis` (0 dark purple, 1 yellow),
    /// `width` x `height`.
    public func heatmap() -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for (index, value) in values.enumerated() {
            let color = Viridis.color(at: value)
            pixels[3 * index] = UInt8(color.red.rounded())
            pixels[3 * index + 1] = UInt8(color.green.rounded())
            pixels[3 * index + 2] = UInt8(color.blue.rounded())
        }
        return try! RGBImage(width: width, height: height, pixels: pixels)
    }

    /// `image` (of the map's size: the image the network saw) with the heat map alpha-blended over
    /// it: each channel is (1 − opacity) · image + opacity · viridis(value), rounded; `opacity` is
    /// clamped to 0...1 (0 gives the image, 1 the heat map alone).
    /// - Throws: `GradCAMError.imageSizeMismatch` for an image of another size.
    public func overlay(on image: RGBImage, opacity: Float = 0.5) throws -> RGBImage {
        guard image.width == width, image.height == height else {
            throw GradCAMError.imageSizeMismatch(imageWidth: image.width, imageHeight: image.height,
                                                 mapWidth: width, mapHeight: height)
        }
        let alpha = min(max(opacity, 0), 1)
        var pixels = image.pixels
        for (index, value) in values.enumerated() {
            let color = Viridis.color(at: value)
            for (channel, heat) in [color.red, color.green, color.blue].enumerated() {
                let blended = (1 - alpha) * Float(pixels[3 * index + channel]) + alpha * heat
                pixels[3 * index + channel] = UInt8(min(max(blended.rounded(), 0), 255))
            }
        }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }
}
