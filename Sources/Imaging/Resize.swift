extension RGBImage {
    /// This image resampled to `width` x `height`: bilinear (pixel centres aligned, edges
    /// clamped) along an axis shrunk at most 2x or enlarged, area averaging along an axis shrunk
    /// more than 2x. Returns `self` unchanged when the size already matches; sizes below 0 count as 0.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        let targetWidth = max(newWidth, 0), targetHeight = max(newHeight, 0)
        if targetWidth == width && targetHeight == height { return self }
        let count = targetWidth * targetHeight * 3
        guard width > 0, height > 0, count > 0 else {
            return RGBImage(validatedWidth: targetWidth, height: targetHeight,
                            pixels: [UInt8](repeating: 0, count: count))
        }
        let columns = ResamplingWeights(source: width, target: targetWidth)
        let rows = ResamplingWeights(source: height, target: targetHeight)
        // Horizontal pass into floats (source rows x target columns), then vertical pass. (Over
        // buffer pointers and tap ranges: a debug build, which the tests run, spent a tenth of
        // its command tests here with a lazy sequence of taps a pixel.)
        var horizontal = [Float](repeating: 0, count: height * targetWidth * 3)
        pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { output in
                columns.withTaps { sourceColumns, weights in
                    for y in 0..<height {
                        let sourceRow = y * width * 3, outputRow = y * targetWidth * 3
                        for x in 0..<targetWidth {
                            var red: Float = 0, green: Float = 0, blue: Float = 0
                            for tap in columns.tapRange(of: x) {
                                let offset = sourceRow + 3 * sourceColumns[tap], weight = weights[tap]
                                red += weight * Float(source[offset])
                                green += weight * Float(source[offset + 1])
                                blue += weight * Float(source[offset + 2])
                            }
                            output[outputRow + 3 * x] = red
                            output[outputRow + 3 * x + 1] = green
                            output[outputRow + 3 * x + 2] = blue
                        }
                    }
                }
            }
        }
        let rowLength = targetWidth * 3
        var accumulator = [Float](repeating: 0, count: rowLength)
        let result = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            horizontal.withUnsafeBufferPointer { horizontal in
                accumulator.withUnsafeMutableBufferPointer { accumulator in
                    rows.withTaps { sourceRows, weights in
                        for y in 0..<targetHeight {
                            for index in 0..<rowLength { accumulator[index] = 0 }
                            for tap in rows.tapRange(of: y) {
                                let sourceRow = sourceRows[tap] * rowLength, weight = weights[tap]
                                for index in 0..<rowLength {
                                    accumulator[index] += weight * horizontal[sourceRow + index]
                                }
                            }
                            for index in 0..<rowLength {
                                output[y * rowLength + index] = UInt8(Swift.min(Swift.max(accumulator[index].rounded(), 0), 255))
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return RGBImage(validatedWidth: targetWidth, height: targetHeight, pixels: result)
    }
}

/// For each target position along one axis, the source positions it reads and their weights
/// (summing to 1), stored flat.
struct ResamplingWeights {
    private var starts: [Int] = [0]
    private var indices: [Int] = []
    private var weights: [Float] = []

    init(source: Int, target: Int) {
        let scale = Double(source) / Double(target)
        for position in 0..<target {
            if scale > 2 {
                appendAreaTaps(from: Double(position) * scale, to: Double(position + 1) * scale, source: source)
            } else {
                let center = (Double(position) + 0.5) * scale - 0.5
                let clamped = min(max(center, 0), Double(source - 1))
                let left = Int(clamped.rounded(.down))
                let fraction = clamped - Double(left)
                append(index: left, weight: 1 - fraction)
                if fraction > 0 { append(index: left + 1, weight: fraction) }
            }
            starts.append(indices.count)
        }
    }

    /// Each source pixel overlapping [begin, end) weighted by its overlap, normalized.
    private mutating func appendAreaTaps(from begin: Double, to end: Double, source: Int) {
        let first = Int(begin.rounded(.down)), last = min(Int(end.rounded(.up)), source) - 1
        for index in first...last {
            let overlap = min(end, Double(index + 1)) - max(begin, Double(index))
            if overlap > 0 { append(index: index, weight: overlap / (end - begin)) }
        }
    }

    private mutating func append(index: Int, weight: Double) {
        indices.append(index)
        weights.append(Float(weight))
    }

    /// Where target `position`'s taps are in the flat source indices and weights of `withTaps`.
    func tapRange(of position: Int) -> Range<Int> {
        starts[position]..<starts[position + 1]
    }

    /// `body(source indices, weights)` of every tap, flat: target `p`'s at `tapRange(of: p)`.
    func withTaps<Result>(_ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Float>) -> Result) -> Result {
        indices.withUnsafeBufferPointer { indices in weights.withUnsafeBufferPointer { weights in body(indices, weights) } }
    }
}
