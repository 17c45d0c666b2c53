extension BinaryMask {
    /// The exact Euclidean distance transform: for each pixel, the distance to the nearest clear
    /// pixel (see `DistanceMap`).
    ///
    /// Felzenszwalb and Huttenlocher's algorithm ("Distance transforms of sampled functions",
    /// Theory of Computing 8, 2012): the squared distance separates into a pass down each column
    /// (distance to the nearest clear pixel of the column) and a pass along each row, which takes
    /// for every x the lower envelope of the parabolas (x − x')² + column distance² over the
    /// row's pixels x'. Time and memory are linear in the pixel count; squared distances are
    /// integers, computed in `Double` and exact, so the result is the nearest `Float` to the true
    /// distance.
    public func distanceTransform() -> DistanceMap {
        var squared = [Double](repeating: 0, count: width * height)
        var line = [Double](repeating: 0, count: max(width, height))
        var envelope = LowerEnvelope(capacity: max(width, height))
        // Columns: 0 on clear pixels, +∞ (no parabola) on set pixels, then the 1-D transform.
        for x in 0..<width {
            for y in 0..<height { line[y] = bits[y * width + x] ? .infinity : 0 }
            envelope.transform(&line, count: height)
            for y in 0..<height { squared[y * width + x] = line[y] }
        }
        // Rows, over the column distances.
        for y in 0..<height {
            for x in 0..<width { line[x] = squared[y * width + x] }
            envelope.transform(&line, count: width)
            for x in 0..<width { squared[y * width + x] = line[x] }
        }
        return DistanceMap(validatedWidth: width, height: height, distances: squared.map { Float($0.squareRoot()) })
    }
}

/// The 1-D squared distance transform of Felzenszwalb and Huttenlocher, with its working arrays
/// kept between lines.
private struct LowerEnvelope {
    /// Positions of the parabolas in the lower envelope, left to right.
    private var roots: [Int]
    /// boundaries[k]...boundaries[k + 1]: where parabola k is the lowest one.
    private var boundaries: [Double]
    /// The transformed line, before it is copied back.
    private var values: [Double]

    init(capacity: Int) {
        roots = [Int](repeating: 0, count: capacity)
        boundaries = [Double](repeating: 0, count: capacity + 1)
        values = [Double](repeating: 0, count: capacity)
    }

    /// Replaces f[0..<count] by d(q) = min over p of (q − p)² + f(p). Positions with f(p) = +∞
    /// hold no parabola; when all are infinite, the result stays +∞ everywhere.
    mutating func transform(_ f: inout [Double], count: Int) {
        var last = -1  // index of the rightmost parabola in the envelope
        for q in 0..<count where f[q].isFinite {
            var start = -Double.infinity
            while last >= 0 {
                let p = roots[last]
                // Where the parabolas rooted at p and q intersect.
                start = ((f[q] + Double(q * q)) - (f[p] + Double(p * p))) / Double(2 * q - 2 * p)
                if start > boundaries[last] { break }
                last -= 1  // parabola p is nowhere the lowest
                start = -.infinity
            }
            last += 1
            roots[last] = q
            boundaries[last] = start
            boundaries[last + 1] = .infinity
        }
        guard last >= 0 else { return }
        var k = 0
        for q in 0..<count {
            while boundaries[k + 1] < Double(q) { k += 1 }
            let offset = Double(q - roots[k])
            values[q] = offset * offset + f[roots[k]]
        }
        for q in 0..<count { f[q] = values[q] }
    }
}
