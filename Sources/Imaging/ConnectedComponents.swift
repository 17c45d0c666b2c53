/// One 8-connected region of a `BinaryMask`.
public struct ImageRegion: Sendable, Equatable {
    /// Number of pixels in the region.
    public let area: Int
    /// Length of the region's outer contour: the closed path through the centres of its outer
    /// boundary pixels, followed with 8-connected steps (1 for a horizontal or vertical step,
    /// √2 for a diagonal one). Holes do not count. A filled n×n square has perimeter 4(n - 1),
    /// a single pixel 0, a one-pixel-wide line of n pixels 2(n - 1) (the path goes there and back).
    public let perimeter: Double
    /// 4π·E / perimeter², where E is the area enclosed by that contour path (shoelace formula,
    /// holes included, (n - 1)² for an n×n square). This is at most 1 (isoperimetric inequality):
    /// π/4 ≈ 0.785 for an axis-aligned square, about 0.9 for a digital disk (8-connected steps
    /// overestimate a circle's length by ≈5%), 0 for single pixels and one-pixel-wide lines.
    public let circularity: Double

    /// A region with these measurements.
    public init(area: Int, perimeter: Double, circularity: Double) {
        self.area = area
        self.perimeter = perimeter
        self.circularity = circularity
    }
}

extension BinaryMask {
    /// The 8-connected regions of set pixels with at least `minimumArea` pixels, ordered by
    /// their first pixel in row-major order.
    public func connectedComponents(minimumArea: Int = 1) -> [ImageRegion] {
        let count = width * height
        var labels = [Int32](repeating: 0, count: count)
        var queue = [Int](repeating: 0, count: count)
        var regions: [ImageRegion] = []
        var label: Int32 = 0
        bits.withUnsafeBufferPointer { bits in
            labels.withUnsafeMutableBufferPointer { labels in
                queue.withUnsafeMutableBufferPointer { queue in
                    for start in 0..<count where bits[start] && labels[start] == 0 {
                        label += 1
                        let area = fill(from: start, label: label, bits: bits, labels: labels, queue: queue)
                        guard area >= minimumArea else { continue }
                        // Row-major scanning makes `start` the region's top-left pixel, on its outer contour.
                        let contour = traceContour(from: start, label: label, labels: UnsafeBufferPointer(labels))
                        let circularity = contour.length > 0
                            ? 4 * Double.pi * contour.enclosedArea / (contour.length * contour.length) : 0
                        regions.append(ImageRegion(area: area, perimeter: contour.length,
                                                   circularity: min(circularity, 1)))
                    }
                }
            }
        }
        return regions
    }

    /// Labels the 8-connected region containing `start` (breadth-first) and returns its pixel count.
    private func fill(from start: Int, label: Int32, bits: UnsafeBufferPointer<Bool>,
                      labels: UnsafeMutableBufferPointer<Int32>, queue: UnsafeMutableBufferPointer<Int>) -> Int {
        labels[start] = label
        queue[0] = start
        var head = 0, tail = 1
        while head < tail {
            let index = queue[head]
            head += 1
            let x = index % width, y = index / width
            for ny in max(y - 1, 0)...min(y + 1, height - 1) {
                for nx in max(x - 1, 0)...min(x + 1, width - 1) {
                    let neighbour = ny * width + nx
                    if bits[neighbour] && labels[neighbour] == 0 {
                        labels[neighbour] = label
                        queue[tail] = neighbour
                        tail += 1
                    }
                }
            }
        }
        return tail
    }

    /// Follows the outer contour of region `label` from its top-left pixel (8-connected boundary
    /// following; stops when the first step repeats) and returns the path length and the area it
    /// encloses.
    private func traceContour(from start: Int, label: Int32,
                              labels: UnsafeBufferPointer<Int32>) -> (length: Double, enclosedArea: Double) {
        // Directions counter-clockwise on screen from east; odd ones are diagonal. y grows downwards.
        let steps: [(dx: Int, dy: Int)] = [(1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1)]
        func inRegion(_ x: Int, _ y: Int) -> Bool {
            x >= 0 && x < width && y >= 0 && y < height && labels[y * width + x] == label
        }
        let startX = start % width, startY = start / width
        var x = startX, y = startY, direction = 7
        var length = 0.0, doubledArea = 0
        var firstStep: (x: Int, y: Int)? = nil
        while true {
            var next: Int? = nil
            let first = direction % 2 == 0 ? direction + 7 : direction + 6
            for turn in 0..<8 {
                let candidate = (first + turn) % 8
                if inRegion(x + steps[candidate].dx, y + steps[candidate].dy) {
                    next = candidate
                    break
                }
            }
            guard let next else { break }  // an isolated pixel
            let nx = x + steps[next].dx, ny = y + steps[next].dy
            if x == startX, y == startY, let firstStep, firstStep == (nx, ny) { break }
            if firstStep == nil { firstStep = (nx, ny) }
            length += next % 2 == 0 ? 1 : 2.0.squareRoot()
            doubledArea += x * ny - nx * y
            x = nx
            y = ny
            direction = next
        }
        return (length, Double(abs(doubledArea)) / 2)
    }
}
