import Dispatch
import Imaging
import Tensors

/// The study's HSV "purple" mask, computed from a NORMALIZED NHWC input batch.
///
/// The network input is `x = pixel · scale + offset` per channel (`normalization`), with `pixel`
/// on 0...255 as decoded from an 8-bit image. For each pixel the mask:
///
/// 1. recovers `pixel = (x − offset) / scale`, clamps it to 0...255 and rounds it to the nearest
///    integer (undoing the float error of the normalization round trip, so the mask equals the
///    one of the 8-bit image, e.g. `Imaging.HSVRange.mask(of:)` with the same thresholds);
/// 2. converts `pixel / 255` to HSV on 0...1 scales (V = max, S = (max − min) / max, 0 for black;
///    H from the channel holding the max, 0 for greys; red 0, green 1/3, blue 2/3);
/// 3. is 1 where `hue ∋ H`, `S ≥ minimumSaturation` and `V ≥ minimumValue`, else 0.
///
/// The study's thresholds are the defaults: H in [0.7, 0.8], S ≥ 0.5, V ≥ 0.4.
public struct PurpleMask: Codable, Equatable, Sendable {
    /// One channel's normalization: network input = pixel · scale + offset, pixel on 0...255.
    public struct ChannelAffine: Codable, Equatable, Sendable {
        public var scale: Float
        public var offset: Float

        public init(scale: Float, offset: Float) {
            self.scale = scale
            self.offset = offset
        }
    }

    /// The normalization of the red, green and blue channels of the network input.
    public var normalization: [ChannelAffine]
    /// The accepted hues on 0...1 (0.7...0.8 is 252°...288°); it cannot wrap around red.
    public var hue: ClosedRange<Float>
    /// The least accepted saturation, 0...1.
    public var minimumSaturation: Float
    /// The least accepted value (brightness), 0...1.
    public var minimumValue: Float

    private enum CodingKeys: String, CodingKey {
        case normalization, hue, minimumSaturation = "minimum_saturation", minimumValue = "minimum_value"
    }

    /// A mask with the study's thresholds unless others are given.
    public init(normalization: [ChannelAffine], hue: ClosedRange<Float> = 0.7...0.8, minimumSaturation: Float = 0.5,
                minimumValue: Float = 0.4) {
        self.normalization = normalization
        self.hue = hue
        self.minimumSaturation = minimumSaturation
        self.minimumValue = minimumValue
    }

    /// Throws unless there are three channels with finite, non-zero scales and finite offsets, and
    /// the thresholds lie in 0...1.
    /// - Throws: `ModelZooError.invalidConfiguration` naming the value at fault.
    public func validate() throws {
        let name = "PurpleMask"
        try ModelZooError.check(normalization.count == 3, name,
                                "normalization needs 3 channels (red, green, blue), got \(normalization.count)")
        for (channel, affine) in normalization.enumerated() {
            try ModelZooError.check(affine.scale.isFinite && affine.scale != 0 && affine.offset.isFinite, name,
                                    "channel \(channel) normalization (scale \(affine.scale), offset \(affine.offset)) "
                                        + "needs a finite non-zero scale and a finite offset")
        }
        try ModelZooError.check(hue.lowerBound >= 0 && hue.upperBound <= 1, name, "hue range \(hue) must lie in 0...1")
        try ModelZooError.check((0...1).contains(minimumSaturation) && (0...1).contains(minimumValue), name,
                                "minimum saturation \(minimumSaturation) and value \(minimumValue) must lie in 0...1")
    }

    /// The 0/1 mask `[batch, height, width, 1]` of the normalized input `x [batch, height, width, 3]`.
    /// It is a constant: no gradient flows through the thresholds.
    public func mask(of x: Tensor) -> Tensor {
        checkInput(x, "PurpleMask.mask(of:)")
        return mapPixels(x, outputChannels: 1) { _, passes, output in output[0] = passes ? 1 : 0 }
    }

    /// What the U-Net branch sees: `mask · pixel / 255` `[batch, height, width, 3]`, where
    /// `pixel = (x − offset) / scale` is the de-normalized (not rounded, not clamped) input, so
    /// masked pixels are the image's RGB on 0...1 and all others are 0. Gradients reach `x` through
    /// the de-normalization only; the mask is a constant. Where no gradient is recorded (inference)
    /// it is one pass over the pixels instead of four.
    public func maskedPixels(_ x: Tensor) -> Tensor {
        checkInput(x, "PurpleMask.maskedPixels(_:)")
        let offsets = normalization.map(\.offset), factors = normalization.map { 1 / (255 * $0.scale) }
        guard Tensor.shouldRecord(x) else {
            return mapPixels(x, outputChannels: 3) { input, passes, output in
                for channel in 0..<3 { output[channel] = passes ? (input[channel] - offsets[channel]) * factors[channel] : 0 }
            }
        }
        return (x - Tensor(offsets)) * Tensor(factors) * mask(of: x)
    }

    /// A new `[batch, height, width, outputChannels]` tensor whose pixels `write` fills from the
    /// input pixel's three values and whether it passes the thresholds; rows of pixels in parallel.
    @inline(__always)
    private func mapPixels(_ x: Tensor, outputChannels: Int,
                           _ write: (UnsafePointer<Float>, Bool, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let pixelCount = x.scalarCount / 3
        let rows = x.shape[0] * x.shape[1], rowLength = x.shape[2]
        let affine = normalization
        return KernelProfile.measure("purple mask (Swift)") {
            Tensor(shape: Array(x.shape.dropLast()) + [outputChannels]) { output in
                x.withUnsafeBufferPointer { input in
                    guard pixelCount > 0, let source = input.baseAddress, let destination = output.baseAddress else { return }
                    DispatchQueue.concurrentPerform(iterations: rows) { row in
                        for pixel in row * rowLength..<(row + 1) * rowLength {
                            let values = source + 3 * pixel
                            let red = Self.eightBit(values[0], affine[0])
                            let green = Self.eightBit(values[1], affine[1])
                            let blue = Self.eightBit(values[2], affine[2])
                            write(values, contains(red: red, green: green, blue: blue), destination + outputChannels * pixel)
                        }
                    }
                }
            }
        }
    }

    /// Whether the colour `(red, green, blue)`, each an integer on 0...255, passes the thresholds
    /// (the same HSV test as the hand-crafted features' purple mask).
    func contains(red: Float, green: Float, blue: Float) -> Bool {
        HSVRange(hue: hue, minimumSaturation: minimumSaturation, minimumValue: minimumValue)
            .contains(HSVColor(red: UInt8(red), green: UInt8(green), blue: UInt8(blue)))
    }

    /// The 8-bit pixel value behind the normalized value `x` of one channel.
    private static func eightBit(_ x: Float, _ affine: ChannelAffine) -> Float {
        let pixel = (x - affine.offset) / affine.scale
        return pixel.isNaN ? 0 : min(max(pixel, 0), 255).rounded()
    }

    /// Stops with a message naming the shape unless `x` is `[batch, height, width, 3]` and the
    /// normalization has three channels.
    private func checkInput(_ x: Tensor, _ operation: String) {
        guard x.rank == 4, x.shape[3] == 3, normalization.count == 3 else {
            Tensor.fail(.invalidShape(operation: operation, shape: x.shape,
                                      expected: "[batch, height, width, 3] and a 3-channel normalization"))
        }
    }
}
