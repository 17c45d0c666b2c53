extension GrayImage {
    /// Otsu's threshold: the grey level that best separates the values into a dark and a light
    /// class (maximum between-class variance over a 256-level histogram). When several levels tie
    /// (for example two-valued images), the middle of the tied range is taken. Pixels with values
    /// `< threshold` form the dark class. Nil when every pixel has the same level.
    public func otsuThreshold() -> Float? {
        var histogram = [Double](repeating: 0, count: 256)
        values.withUnsafeBufferPointer { values in
            for value in values { histogram[Self.level(of: value)] += 1 }
        }
        let total = Double(values.count)
        let weightedTotal = histogram.indices.reduce(0.0) { $0 + Double($1) * histogram[$1] }
        var darkCount = 0.0, darkWeighted = 0.0
        var best = 0.0, firstBest = -1, lastBest = -1
        // Level k splits the histogram into dark 0...k and light k+1...255.
        for level in 0..<255 {
            darkCount += histogram[level]
            darkWeighted += Double(level) * histogram[level]
            let lightCount = total - darkCount
            guard darkCount > 0, lightCount > 0 else { continue }
            let meanDifference = darkWeighted / darkCount - (weightedTotal - darkWeighted) / lightCount
            let betweenClass = darkCount * lightCount * meanDifference * meanDifference
            if betweenClass > best * (1 + 1e-12) {
                best = betweenClass
                firstBest = level
                lastBest = level
            } else if betweenClass >= best * (1 - 1e-12), firstBest >= 0 {
                lastBest = level
            }
        }
        guard firstBest >= 0 else { return nil }
        // Halfway between level k and level k + 1, so that level k is dark.
        return (Float(firstBest + lastBest) / 2 + 0.5) / 255
    }

    /// The pixels whose value is below `threshold`.
    public func mask(darkerThan threshold: Float) -> BinaryMask {
        BinaryMask(validatedWidth: width, height: height, bits: values.map { $0 < threshold })
    }

    /// The pixels whose value is at least `threshold` (the light class of `otsuThreshold()`).
    public func mask(atLeast threshold: Float) -> BinaryMask {
        BinaryMask(validatedWidth: width, height: height, bits: values.map { $0 >= threshold })
    }

    /// The histogram level 0...255 of a value in 0...1 (values outside are clamped).
    private static func level(of value: Float) -> Int {
        Int(min(max(value * 255 + 0.5, 0), 255))
    }
}
