/// A colour in hue–saturation–value form, every component on a 0...1 scale
/// (hue 0...1 stands for 0...360°; red is 0, green 1/3, blue 2/3).
public struct HSVColor: Sendable, Equatable {
    public var hue: Float
    public var saturation: Float
    public var value: Float

    /// The standard conversion: V = max, S = (max - min) / max (0 for black), H from the
    /// channel holding the max (0 for greys).
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        let r = Float(red) / 255, g = Float(green) / 255, b = Float(blue) / 255
        let maximum = max(r, g, b), minimum = min(r, g, b), chroma = maximum - minimum
        value = maximum
        saturation = maximum > 0 ? chroma / maximum : 0
        guard chroma > 0 else { hue = 0; return }
        var sixths: Float
        if maximum == r {
            sixths = (g - b) / chroma
            if sixths < 0 { sixths += 6 }
        } else if maximum == g {
            sixths = (b - r) / chroma + 2
        } else {
            sixths = (r - g) / chroma + 4
        }
        hue = sixths / 6
    }
}

/// A box in HSV space: hue inside `hue` and saturation and value at least the minimums,
/// all on 0...1 scales. A range cannot wrap around red (hue 0 = 1).
public struct HSVRange: Sendable, Codable, Equatable {
    public var hue: ClosedRange<Float>
    public var minimumSaturation: Float
    public var minimumValue: Float

    private enum CodingKeys: String, CodingKey {
        case hue, minimumSaturation = "minimum_saturation", minimumValue = "minimum_value"
    }

    /// The colours with hue in `hue`, saturation ≥ `minimumSaturation` and value ≥ `minimumValue`.
    public init(hue: ClosedRange<Float>, minimumSaturation: Float, minimumValue: Float) {
        self.hue = hue
        self.minimumSaturation = minimumSaturation
        self.minimumValue = minimumValue
    }

    /// Whether `color` falls inside the range.
    public func contains(_ color: HSVColor) -> Bool {
        hue.contains(color.hue) && color.saturation >= minimumSaturation && color.value >= minimumValue
    }

    /// The pixels of `image` whose colour falls inside the range.
    public func mask(of image: RGBImage) -> BinaryMask {
        let count = image.width * image.height
        let bits = [Bool](unsafeUninitializedCapacity: count) { output, initialized in
            image.pixels.withUnsafeBufferPointer { rgb in
                for index in 0..<count {
                    output[index] = contains(HSVColor(red: rgb[3 * index], green: rgb[3 * index + 1],
                                                      blue: rgb[3 * index + 2]))
                }
            }
            initialized = count
        }
        return BinaryMask(validatedWidth: image.width, height: image.height, bits: bits)
    }
}
