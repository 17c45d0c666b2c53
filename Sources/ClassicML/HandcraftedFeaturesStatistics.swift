import Imaging

/// Per-channel colour histograms.
enum ColorHistogram {
    /// `bins` bins for red, then green, then blue (bin = byte * bins / 256), each summing to 1
    /// (all 0 for an empty image).
    static func normalized(_ image: RGBImage, bins: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: 3 * bins)
        image.pixels.withUnsafeBufferPointer { pixels in
            counts.withUnsafeMutableBufferPointer { counts in
                var index = 0
                while index < pixels.count {
                    counts[Int(pixels[index]) * bins / 256] += 1
                    counts[bins + Int(pixels[index + 1]) * bins / 256] += 1
                    counts[2 * bins + Int(pixels[index + 2]) * bins / 256] += 1
                    index += 3
                }
            }
        }
        let pixelCount = Float(max(image.width * image.height, 1))
        return counts.map { Float($0) / pixelCount }
    }
}

/// Mean, spread and shape of a list of values (population moments, accumulated in Double).
/// Everything is 0 for an empty list; skewness and excess kurtosis are 0 when the variance is 0.
struct Moments {
    var mean = 0.0, variance = 0.0, skewness = 0.0, excessKurtosis = 0.0
    var minimum = 0.0, maximum = 0.0
    var standardDeviation: Double { variance.squareRoot() }

    /// Below this variance (far under the 8-bit quantization step) values count as constant,
    /// so that rounding noise does not produce meaningless skewness or kurtosis.
    private static let constantVariance = 1e-12

    init(_ values: [Float]) {
        guard !values.isEmpty else { return }
        values.withUnsafeBufferPointer { values in
            var sum = 0.0, low = Float.infinity, high = -Float.infinity
            for value in values {
                sum += Double(value)
                low = min(low, value)
                high = max(high, value)
            }
            let count = Double(values.count)
            mean = sum / count
            minimum = Double(low)
            maximum = Double(high)
            var second = 0.0, third = 0.0, fourth = 0.0
            for value in values {
                let deviation = Double(value) - mean, squared = deviation * deviation
                second += squared
                third += squared * deviation
                fourth += squared * squared
            }
            variance = second / count
            guard variance > Self.constantVariance else { variance = 0; return }
            skewness = third / count / (variance * standardDeviation)
            excessKurtosis = fourth / count / (variance * variance) - 3
        }
    }
}

/// Count and mean measurements of a set of regions (means 0 when there is none).
struct RegionSummary {
    var count = 0.0, meanArea = 0.0, meanPerimeter = 0.0, meanCircularity = 0.0

    init(_ regions: [ImageRegion]) {
        guard !regions.isEmpty else { return }
        count = Double(regions.count)
        meanArea = regions.reduce(0.0) { $0 + Double($1.area) } / count
        meanPerimeter = regions.reduce(0.0) { $0 + $1.perimeter } / count
        meanCircularity = regions.reduce(0.0) { $0 + $1.circularity } / count
    }
}
