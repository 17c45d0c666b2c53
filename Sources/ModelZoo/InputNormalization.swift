import Imaging

/// How 0...255 pixel values become network inputs.
public enum InputNormalization: String, Codable, Sendable, CaseIterable {
    /// x / 255, then (x − mean) / std with ImageNet's channel statistics (torchvision backbones).
    case imageNet = "imagenet"
    /// x / 127.5 − 1, in [-1, 1] (TensorFlow-style backbones such as EfficientNet-Lite).
    case symmetric
    /// x / 255, in [0, 1].
    case unit

    /// Per-channel (scale, offset) so that input = pixel · scale + offset.
    public var channelAffine: [(scale: Float, offset: Float)] {
        switch self {
        case .imageNet:
            let mean: [Float] = [0.485, 0.456, 0.406], deviation: [Float] = [0.229, 0.224, 0.225]
            return (0..<3).map { (1 / (255 * deviation[$0]), -mean[$0] / deviation[$0]) }
        case .symmetric:
            return Array(repeating: (1 / 127.5, -1), count: 3)
        case .unit:
            return Array(repeating: (1 / 255, 0), count: 3)
        }
    }

    /// Writes `image` (interleaved RGB) as normalized floats into `destination` (NHWC order).
    public func write(_ image: RGBImage, into destination: UnsafeMutableBufferPointer<Float>) {
        let affine = channelAffine
        let (r, g, b) = (affine[0], affine[1], affine[2])
        image.pixels.withUnsafeBufferPointer { pixels in
            for offset in stride(from: 0, to: min(pixels.count, destination.count) - 2, by: 3) {
                destination[offset] = Float(pixels[offset]) * r.scale + r.offset
                destination[offset + 1] = Float(pixels[offset + 1]) * g.scale + g.offset
                destination[offset + 2] = Float(pixels[offset + 2]) * b.scale + b.offset
            }
        }
    }
}
